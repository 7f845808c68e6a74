// portLooksFree asks the kernel by binding, instead of reading /proc/net/tcp: a listener on any
// address of the port, in either family, makes it busy; a closed one leaves it free.
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { portLooksFree } from '../../../src/process/port-free.js';
import { freePort } from '../../helpers/ports.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

const listen = async (port: number, host?: string, ipv6Only = false): Promise<void> => {
  const server = createServer();
  servers.push(server);
  server.listen({ port, ...(host === undefined ? {} : { host }), ipv6Only });
  await once(server, 'listening');
};

describe('portLooksFree', () => {
  it('is true for a port nobody listens on, and leaves it free', async () => {
    const port = await freePort();
    expect(await portLooksFree(port)).toBe(true);
    expect(await portLooksFree(port)).toBe(true);
    // At once, on the widest address: it resolves before its close callback, the port already freed.
    await listen(port, '::');
  });

  it.each([
    ['127.0.0.1', false],
    ['0.0.0.0', false],
    ['::', false],
    ['::1', true],
    ['::', true],
  ])('is false while something listens on %s (ipv6Only %s)', async (host, v6only) => {
    const port = await freePort();
    await listen(port, host, v6only);
    expect(await portLooksFree(port)).toBe(false);
  });

  it('is true again once the listener closed', async () => {
    const port = await freePort();
    await listen(port, '127.0.0.1');
    await new Promise((r) => servers.pop()!.close(r));
    expect(await portLooksFree(port)).toBe(true);
  });
});
