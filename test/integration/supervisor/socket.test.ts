// Socket mode only: orch holds the listening socket and hands it to every instance as fd 3. The
// reload contract it shares with cluster mode is in reload-contract.test.ts.
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readListeningSockets, socketInodesOf } from '../../../src/process/port-holders.js';
import { freePort } from '../../helpers/ports.js';
import { waitFor } from '../../helpers/wait-for.js';
import { startForeignListener } from './foreign-listener.js';
import { createHarness, type Harness, nodeApp, processAlive } from './harness.js';
import { getOnce, pidOf, socketApp, startLoad } from './shared-port.js';

let h: Harness | undefined;
const harness = (): Harness => (h = createHarness());
afterEach(async () => {
  await h?.teardown();
  h = undefined;
});

const states = (app: string): (string | undefined)[] => h?.supervisor.app(app)?.instances.map((i) => i.state) ?? [];
/** Ports this process (the supervisor's, which holds socket mode's sockets) listens on. */
const ownListeningPorts = (): number[] => {
  const own = new Set(socketInodesOf(process.pid));
  return [...readListeningSockets()].filter(([, inodes]) => inodes.some((i) => own.has(i))).map(([port]) => port).sort((a, b) => a - b);
};
const live = (pids: readonly (number | undefined)[]): number[] => pids.filter((p): p is number => p !== undefined);

describe('socket mode', () => {
  it('hands every instance the one listening socket as fd 3, systemd style', async () => {
    const { supervisor, pids } = harness();
    const port = await freePort();
    expect(await supervisor.create(socketApp('sock', port))).toEqual({ ok: true });
    const instances = live(pids('sock'));
    const seen = new Map<number, unknown>();
    await waitFor(async () => {
      const env = JSON.parse((await getOnce(port, '/env')).body) as { pid: number };
      seen.set(env.pid, env);
      return seen.size === 2;
    }, { what: 'both instances answering' });
    expect([...seen.keys()].sort()).toEqual([...instances].sort());
    for (const [pid, env] of seen) {
      expect(env).toMatchObject({ LISTEN_FDS: '1', LISTEN_PID: String(pid), LISTEN_FDNAMES: 'sock' });
    }
  });

  it('listens on the declared port itself', async () => {
    const { supervisor } = harness();
    const port = await freePort();
    const before = ownListeningPorts();
    expect(await supervisor.create(socketApp('sock', port))).toEqual({ ok: true });
    expect(ownListeningPorts()).toEqual([...before, port].sort((a, b) => a - b));
  });

  it('fails on a port another process holds, naming it, and listens on no other port', async () => {
    const { supervisor } = harness();
    const port = await freePort();
    const foreign = await startForeignListener(port);
    try {
      const before = ownListeningPorts();
      const result = await supervisor.create(socketApp('sock', port, [], { instances: 1 }));
      expect(result).toEqual({ ok: false, reason: `instance 0: port ${port} is in use by pid ${foreign.pid} (${foreign.command})` });
      expect(states('sock')).not.toContain('online');
      expect(live(h?.pids('sock') ?? [])).toEqual([]);
      expect(ownListeningPorts()).toEqual(before);
    } finally {
      foreign.stop();
    }
  });

  it('replaces a SIGKILLed instance, scales without touching the others, and closes the port with the app', async () => {
    const { supervisor, pids } = harness();
    const port = await freePort();
    const spec = socketApp('sock', port);
    await supervisor.create(spec);
    const [s0, s1] = live(pids('sock'));
    process.kill(s1!, 'SIGKILL');
    const replaced = await waitFor(() => {
      const p1 = pids('sock')[1];
      return p1 !== undefined && p1 !== s1 && states('sock')[1] === 'online' ? p1 : undefined;
    }, { what: 'instance 1 replaced' });
    expect(pids('sock')[0]).toBe(s0);
    expect((await getOnce(port)).status).toBe(200);
    expect(await supervisor.scale({ ...spec, instances: 3 })).toEqual({ ok: true });
    expect(pids('sock').slice(0, 2)).toEqual([s0, replaced]);
    expect(await supervisor.scale({ ...spec, instances: 1 })).toEqual({ ok: true });
    expect(pids('sock')).toEqual([s0]);
    expect(processAlive(replaced)).toBe(false);
    expect(await pidOf(port)).toBe(s0);
    expect(await supervisor.remove('sock')).toEqual({ ok: true });
    await expect(getOnce(port)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('runs the python example, reloading it under load without a failed request', async () => {
    const { supervisor, pids } = harness();
    const port = await freePort();
    const dir = resolve(import.meta.dirname, '../../../examples/socket-python');
    const spec = nodeApp('pyweb', 'unused', [], {
      command: ['python3', '-u', 'server.py'],
      cwd: dir,
      mode: 'socket',
      port,
      instances: 2,
      ready: { type: 'notify', timeoutMs: 10_000 },
    });
    expect(await supervisor.create(spec)).toEqual({ ok: true });
    const before = live(pids('pyweb'));
    const load = startLoad(port);
    expect(await supervisor.reload({ ...spec, env: { V: '2' } })).toEqual({ ok: true });
    const result = await load.stop();
    expect(result.failures).toEqual([]);
    expect(live(pids('pyweb')).some((p) => before.includes(p))).toBe(false);
  });
});
