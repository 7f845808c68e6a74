// UDP in socket mode (SPEC §14): orch binds the datagram socket once and hands it to every
// instance as fd 3 (LISTEN_FDS=1, systemd's ListenDatagram=). A rolling reload starts the new
// instance before the old one closes its copy, so datagrams keep being answered throughout.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppSpec } from '../../../src/config/desired.js';
import { findPortHolders } from '../../../src/process/port-holders.js';
import { repoRoot } from '../../helpers/sandbox.js';
import { createHarness, type Harness, nodeApp } from '../supervisor/harness.js';
import { socketApp } from '../supervisor/shared-port.js';
import { startDatagramLoad } from './datagram-load.js';
import { expectReloadsUnderLoad } from './reload-under-load.js';
import { freeUdpPort } from './udp-port.js';

let h: Harness | undefined;
const harness = (): Harness => (h = createHarness());
afterEach(async () => {
  await h?.teardown();
  h = undefined;
});

const live = (pids: readonly (number | undefined)[]): number[] => pids.filter((p): p is number => p !== undefined);

/** The UDP example (examples/udp-python/echo.py) in socket mode, two instances, ready by sd_notify. */
const pythonEcho = (port: number, o: Parameters<typeof nodeApp>[3] = {}): AppSpec =>
  nodeApp('dns', 'unused', [], {
    command: ['python3', '-u', join(repoRoot, 'examples/udp-python/echo.py')],
    mode: 'socket',
    port,
    protocol: 'udp',
    instances: 2,
    ready: { type: 'notify', timeoutMs: 10_000 },
    ...o,
  });

describe('socket mode, udp', () => {
  it('hands every instance the one datagram socket as fd 3, held by orch itself', async () => {
    const { supervisor, pids } = harness();
    const port = await freeUdpPort();
    expect(await supervisor.create(pythonEcho(port))).toEqual({ ok: true });
    expect(findPortHolders([port], 'udp').get(port)?.pids).toContain(process.pid);
    // Nothing on the TCP side of the number: the datagram socket is all orch bound.
    expect(findPortHolders([port]).has(port)).toBe(false);
    const load = await startDatagramLoad(port);
    await load.answered(100);
    const result = await load.stop();
    expect([...result.byInstance.keys()].sort()).toEqual(['0', '1']);
    expect([...result.pids].sort()).toEqual(live(pids('dns')).sort());
  });

  it('reloads three times under a steady datagram load, answering at least 99 % and from both instances', async () => {
    const port = await freeUdpPort();
    await expectReloadsUnderLoad(harness(), { ...pythonEcho(port), port });
  });

  it('fails on a UDP port another process holds, naming it; a TCP listener on the number is no obstacle', async () => {
    const { supervisor } = harness();
    const port = await freeUdpPort();
    const holder = spawn(process.execPath, ['-e', `require('dgram').createSocket('udp4').bind(${port}, () => console.log('up'))`], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    h?.extraPids.add(holder.pid!);
    await once(holder.stdout!, 'data');
    const result = await supervisor.create(pythonEcho(port, { instances: 1 }));
    expect(result).toEqual({ ok: false, reason: `instance 0: port ${port}/udp is in use by pid ${holder.pid} (node)` });
    holder.kill('SIGKILL');
    await once(holder, 'exit');
    await supervisor.remove('dns');

    const tcp = createServer();
    await new Promise<void>((resolve) => tcp.listen(port, '0.0.0.0', resolve));
    try {
      expect(await supervisor.create(pythonEcho(port, { instances: 1 }))).toEqual({ ok: true });
    } finally {
      tcp.close();
    }
  });

  it('a restart from tcp to udp on the same number rebinds: the listener goes, a datagram socket comes', async () => {
    const { supervisor } = harness();
    const port = await freeUdpPort();
    expect(await supervisor.create(socketApp('dns', port, [], { instances: 1 }))).toEqual({ ok: true });
    expect(findPortHolders([port]).get(port)?.pids).toContain(process.pid);
    expect(await supervisor.restart(pythonEcho(port, { instances: 1 }))).toEqual({ ok: true });
    expect(findPortHolders([port]).has(port)).toBe(false);
    expect(findPortHolders([port], 'udp').get(port)?.pids).toContain(process.pid);
    const load = await startDatagramLoad(port);
    await load.answered(10);
    expect((await load.stop()).byInstance.get('0')).toBeGreaterThanOrEqual(10);
  });

  it('closes the datagram socket with the app', async () => {
    const { supervisor } = harness();
    const port = await freeUdpPort();
    expect(await supervisor.create(pythonEcho(port, { instances: 1 }))).toEqual({ ok: true });
    expect(await supervisor.remove('dns')).toEqual({ ok: true });
    expect(findPortHolders([port], 'udp').has(port)).toBe(false);
  });
});
