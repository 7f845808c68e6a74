// UDP in fork mode (SPEC §5, §14): instance i binds port+i itself, as with TCP. The launcher's
// check for a foreign holder reads the UDP table for a UDP app: a TCP listener on the number is
// no obstacle, a datagram socket is named.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppSpec } from '../../../src/config/desired.js';
import { createHarness, type Harness, nodeApp } from '../supervisor/harness.js';
import { startDatagramLoad } from './datagram-load.js';
import { freeUdpPort, freeUdpPortRange } from './udp-port.js';

let h: Harness | undefined;
const harness = (): Harness => (h = createHarness());
afterEach(async () => {
  await h?.teardown();
  h = undefined;
});

/** test/fixtures/apps/udp-echo.js in fork mode: each instance binds PORT (port + i) itself. */
const forkEcho = (port: number, instances: number): AppSpec =>
  nodeApp('echo', 'udp-echo.js', [], { port, protocol: 'udp', instances, ready: { type: 'none', delayMs: 200 } });

describe('fork mode, udp', () => {
  it('instance i answers on port + i', async () => {
    const { supervisor } = harness();
    const port = await freeUdpPortRange(2);
    expect(await supervisor.create(forkEcho(port, 2))).toEqual({ ok: true });
    for (const i of [0, 1]) {
      const load = await startDatagramLoad(port + i);
      await load.answered(10);
      expect([...(await load.stop()).byInstance.keys()]).toEqual([String(i)]);
    }
  });

  it('a TCP listener on the number is no obstacle; a datagram socket on it is named', async () => {
    const { supervisor } = harness();
    const port = await freeUdpPort();
    const tcp = createServer();
    await new Promise<void>((resolve) => tcp.listen(port, '0.0.0.0', resolve));
    try {
      expect(await supervisor.create(forkEcho(port, 1))).toEqual({ ok: true });
    } finally {
      tcp.close();
    }
    await supervisor.remove('echo');

    const holder = spawn(process.execPath, ['-e', `require('dgram').createSocket('udp4').bind(${port}, () => console.log('up'))`], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    h?.extraPids.add(holder.pid!);
    await once(holder.stdout!, 'data');
    expect(await supervisor.create(forkEcho(port, 1))).toEqual({ ok: false, reason: `instance 0: port ${port}/udp is in use by pid ${holder.pid} (node)` });
  });
});
