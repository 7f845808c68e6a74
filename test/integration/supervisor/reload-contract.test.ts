// The reload contract of the port-sharing modes, one table run for cluster and socket mode: a
// reload under load fails no request (new connections, and keep-alive clients of an app using
// drainHttp), replaces every instance, lets an in-flight request finish, and a new generation that
// cannot start is rolled back while the old one keeps serving. Mode-only behaviour stays in
// cluster.test.ts and socket.test.ts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppSpec } from '../../../src/config/desired.js';
import { freePort } from '../../helpers/ports.js';
import { waitFor } from '../../helpers/wait-for.js';
import { createHarness, type Harness, nodeApp } from './harness.js';
import { startKeepAliveLoad } from './keepalive-load.js';
import { clusterApp, getOnce, pidOf, socketApp, startLoad } from './shared-port.js';

let h: Harness | undefined;
const harness = (): Harness => (h = createHarness());
afterEach(async () => {
  await h?.teardown();
  h = undefined;
});

const states = (app: string): (string | undefined)[] => h?.supervisor.app(app)?.instances.map((i) => i.state) ?? [];
const live = (pids: readonly (number | undefined)[]): number[] => pids.filter((p): p is number => p !== undefined);

interface Mode {
  /** The shared-http.js app of this mode (two instances, ready when it says so). */
  readonly app: typeof clusterApp;
  readonly name: string;
  /** What the mode calls an instance, for the test names. */
  readonly unit: string;
}

const MODES: readonly [string, Mode][] = [
  ['cluster', { app: clusterApp, name: 'web', unit: 'worker' }],
  ['socket', { app: socketApp, name: 'sock', unit: 'instance' }],
];

describe.each(MODES)('the shared-port reload contract, %s mode', (mode, { app, name, unit }) => {
  it(`reloads repeatedly under load without a failed request, replacing every ${unit}`, async () => {
    const { supervisor, pids } = harness();
    const port = await freePort();
    const spec = app(name, port);
    await supervisor.create(spec);
    const load = startLoad(port);
    const generations = [live(pids(name))];
    for (let round = 1; round <= 3; round++) {
      expect(await supervisor.reload({ ...spec, env: { ROUND: String(round) } })).toEqual({ ok: true });
      generations.push(live(pids(name)));
    }
    const result = await load.stop();
    expect(result.failures).toEqual([]);
    expect(result.ok).toBeGreaterThan(20);
    for (let k = 1; k < generations.length; k++) {
      expect(generations[k]).toHaveLength(2);
      expect(generations[k]?.some((p) => generations[k - 1]?.includes(p))).toBe(false);
    }
    expect(states(name)).toEqual(['online', 'online']);
  });

  it(`rolls back a reload whose new code does not even parse; the old ${unit}s keep serving`, async () => {
    const { supervisor, pids, home } = harness();
    const port = await freePort();
    const spec = app(name, port);
    await supervisor.create(spec);
    const before = pids(name);
    // Written here, not kept as a fixture: the linter would have to parse it.
    const script = join(home, 'broken.js');
    writeFileSync(script, 'const x = ;\n');
    const broken = { ...spec, command: [process.execPath, script] };
    const result = await supervisor.reload(broken);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/^reload rolled back: instance 0: exited with code 1 before ready/);
    expect(pids(name)).toEqual(before);
    expect(states(name)).toEqual(['rollback', 'rollback']);
    expect(live(before)).toContain(await pidOf(port));
    expect(supervisor.app(name)?.spec.command).toEqual(spec.command);
  });

  it(`rolls back a reload whose new code crashes at start; the old ${unit}s keep serving`, async () => {
    const { supervisor, pids } = harness();
    const port = await freePort();
    const spec = app(name, port);
    await supervisor.create(spec);
    const before = pids(name);
    const result = await supervisor.reload(app(name, port, ['crash']));
    expect(result).toEqual({ ok: false, reason: 'reload rolled back: instance 0: exited with code 3 before ready' });
    expect(pids(name)).toEqual(before);
    expect(states(name)).toEqual(['rollback', 'rollback']);
    expect(live(before)).toContain(await pidOf(port));
  });

  it(`lets an in-flight slow request finish while its ${unit} is replaced`, async () => {
    const { supervisor, pids, logText } = harness();
    const port = await freePort();
    const spec = app(name, port, [], { instances: 1 });
    await supervisor.create(spec);
    const [old] = pids(name);
    const slow = getOnce(port, '/slow');
    await waitFor(() => logText(name).includes(`slow request in ${old}`), { what: `the slow request in the ${unit}` });
    expect(await supervisor.reload({ ...spec, env: { V: '2' } })).toEqual({ ok: true });
    expect(await slow).toEqual({ status: 200, body: `${old}\n` });
    expect(pids(name)[0]).not.toBe(old);
  });

  // Without drainHttp, Node's server.close() closes idle keep-alive connections at once and a
  // client reusing one at that instant gets a reset.
  it('keep-alive clients of an app using drainHttp see no failed request during 3 rolling reloads, and every instance is replaced', async () => {
    const { supervisor, pids } = harness();
    const port = await freePort();
    const spec: AppSpec = nodeApp('ka', 'keepalive-http.js', [], {
      mode: mode as 'cluster' | 'socket',
      port,
      instances: 2,
      ready: { type: 'message' },
      shutdown: { timeoutMs: 5000 },
    });
    expect(await supervisor.create(spec)).toEqual({ ok: true });
    const generations = [pids('ka')];
    const load = startKeepAliveLoad(port, { loops: 4, maxSockets: 4, maxMs: 60_000, maxRequests: 200_000 });
    await new Promise((r) => setTimeout(r, 300));
    for (let round = 1; round <= 3; round++) {
      expect(await supervisor.reload({ ...spec, env: { ROUND: String(round) } })).toEqual({ ok: true });
      generations.push(pids('ka'));
      await new Promise((r) => setTimeout(r, 300));
    }
    const result = await load.stop();
    expect(result.failures).toEqual([]);
    expect(result.ok).toBeGreaterThan(100);
    // Keep-alive really was in use: most requests went over a reused connection.
    expect(result.reused).toBeGreaterThan(result.ok / 2);
    for (let k = 1; k < generations.length; k++) {
      expect(generations[k]).toHaveLength(2);
      expect(generations[k]?.every((p) => p !== undefined && !generations[k - 1]?.includes(p))).toBe(true);
    }
    // Every generation served some of the load.
    for (const generation of generations) expect(generation.some((p) => p !== undefined && result.pids.has(p))).toBe(true);
    expect(supervisor.app('ka')?.instances.map((i) => i.state)).toEqual(['online', 'online']);
  }, 90_000);
});
