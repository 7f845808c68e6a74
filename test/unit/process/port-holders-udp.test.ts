// Who holds a UDP port (SPEC §14): /proc/net/udp{,6}, read apart from TCP's tables, so a TCP
// listener and a UDP socket on one number are told apart.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { describeHolder, findPortHolders, portInUse } from '../../../src/process/port-holders.js';
import { freeUdpPort } from '../../integration/udp/udp-port.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
});

/** A `node` process leading its own group, with a datagram socket bound to host:port. */
const bound = async (host: string, port: number): Promise<number> => {
  const script = `const s = require('node:dgram').createSocket('${host.includes(':') ? 'udp6' : 'udp4'}'); s.bind(${port}, '${host}', () => console.log('up'))`;
  const child = spawn(process.execPath, ['-e', script], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await once(child.stdout!, 'data');
  return child.pid!;
};

describe('findPortHolders, udp', () => {
  it('names the process holding a bound datagram socket, with the protocol in its words', async () => {
    const port = await freeUdpPort();
    const pid = await bound('127.0.0.1', port);
    const holder = findPortHolders([port], 'udp').get(port);
    expect(holder).toEqual({ port, pids: [pid], pgids: [pid], command: 'node', protocol: 'udp' });
    expect(describeHolder(holder!)).toBe(`port ${port}/udp is in use by pid ${pid} (node)`);
    expect(portInUse(port, undefined, 'udp')).toBe(`port ${port}/udp is in use by pid ${pid} (node)`);
  });

  it('a UDP socket is no TCP listener, and the other way round', async () => {
    const port = await freeUdpPort();
    await bound('0.0.0.0', port);
    expect(findPortHolders([port]).has(port)).toBe(false);
    expect(portInUse(port)).toBeUndefined();
    expect(findPortHolders([port], 'udp').has(port)).toBe(true);
  });

  it('leaves out a UDP port nobody holds', async () => {
    const port = await freeUdpPort();
    expect(findPortHolders([port], 'udp').has(port)).toBe(false);
    expect(portInUse(port, undefined, 'udp')).toBeUndefined();
  });
});
