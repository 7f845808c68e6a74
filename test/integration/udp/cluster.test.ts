// UDP in cluster mode (SPEC §14): every worker binds PORT with node:dgram, and node:cluster has
// the primary bind the datagram socket once and share it with all of them (UDP is never
// round-robin: the kernel hands each datagram to one worker that reads). A rolling reload starts
// the new worker before the old one closes its copy, so datagrams keep being answered.
import { afterEach, describe, expect, it } from 'vitest';
import type { AppSpec } from '../../../src/config/desired.js';
import { findPortHolders } from '../../../src/process/port-holders.js';
import { createHarness, type Harness, nodeApp } from '../supervisor/harness.js';
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

/** test/fixtures/apps/udp-echo.js in cluster mode, two workers, ready at their `listening` event. */
const nodeEcho = (port: number): AppSpec =>
  nodeApp('echo', 'udp-echo.js', [], { mode: 'cluster', port, protocol: 'udp', instances: 2, ready: { type: 'listening' } });

describe('cluster mode, udp', () => {
  it('the workers share one datagram socket: both answer, every holder is of the app', async () => {
    const { supervisor, pids } = harness();
    const port = await freeUdpPort();
    expect(await supervisor.create(nodeEcho(port))).toEqual({ ok: true });
    const load = await startDatagramLoad(port);
    await load.answered(100);
    const result = await load.stop();
    expect([...result.byInstance.keys()].sort()).toEqual(['0', '1']);
    expect([...result.pids].sort()).toEqual(live(pids('echo')).sort());
    // One socket (one inode) in the primary and both workers: not a socket per worker.
    const holder = findPortHolders([port], 'udp').get(port);
    expect(holder?.pids).toEqual(expect.arrayContaining(live(pids('echo'))));
  });

  it('reloads three times under a steady datagram load, answering at least 99 % and from both workers', async () => {
    const port = await freeUdpPort();
    await expectReloadsUnderLoad(harness(), { ...nodeEcho(port), port });
  });
});
