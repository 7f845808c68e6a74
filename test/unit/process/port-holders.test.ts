import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { describeHolder, findPortHolders, groupListensOn, portInUse } from '../../../src/process/port-holders.js';
import { freePort } from '../../helpers/ports.js';
import { waitFor } from '../../helpers/wait-for.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
});

/** A `node` process leading its own group, listening on host:port. */
const listener = async (host: string, port: number): Promise<number> => {
  const script = `require('node:net').createServer().listen(${port}, '${host}', () => console.log('up'))`;
  const child = spawn(process.execPath, ['-e', script], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await once(child.stdout!, 'data');
  return child.pid!;
};

const canListenOnIpv6 = await new Promise<boolean>((resolve) => {
  const probe: Server = createServer();
  probe.once('error', () => resolve(false));
  probe.listen(0, '::1', () => probe.close(() => resolve(true)));
});

describe('findPortHolders', () => {
  it('names the process and command listening on 127.0.0.1', async () => {
    const port = await freePort();
    const pid = await listener('127.0.0.1', port);
    const holder = findPortHolders([port]).get(port);
    expect(holder).toEqual({ port, pids: [pid], pgids: [pid], command: 'node' });
    expect(describeHolder(holder!)).toBe(`port ${port} is in use by pid ${pid} (node)`);
    expect(portInUse(port)).toBe(`port ${port} is in use by pid ${pid} (node)`);
  });

  it.skipIf(!canListenOnIpv6)('finds a listener on ::1 too', async () => {
    const port = await freePort();
    const pid = await listener('::1', port);
    expect(findPortHolders([port]).get(port)).toMatchObject({ pids: [pid], command: 'node' });
  });

  it('leaves out a port nobody listens on', async () => {
    const port = await freePort();
    expect(findPortHolders([port]).has(port)).toBe(false);
    expect(portInUse(port)).toBeUndefined();
    expect(groupListensOn(port, process.pid)).toBe(false);
  });

  it('sees a listener of the test process itself', async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      expect(findPortHolders([port]).get(port)?.pids).toContain(process.pid);
    } finally {
      server.close();
    }
  });
});

describe('groupListensOn', () => {
  it('is true for the holder group and false for another', async () => {
    const port = await freePort();
    const pid = await listener('127.0.0.1', port);
    expect(groupListensOn(port, pid)).toBe(true);
    expect(groupListensOn(port, process.pid)).toBe(false);
    expect(groupListensOn(port + 1, pid)).toBe(false);
  });

  it('counts a listener that is not the group leader', async () => {
    const port = await freePort();
    // The shell leads the group; its node child (not exec'd: `; true` follows) holds the port.
    const script = `require('node:net').createServer().listen(${port}, '127.0.0.1', () => console.log('up'))`;
    const sh = spawn('/bin/sh', ['-c', `"${process.execPath}" -e "${script}"; true`], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(sh);
    await once(sh.stdout!, 'data');
    const holder = await waitFor(() => findPortHolders([port]).get(port), { what: 'the holder' });
    expect(holder.pids).not.toContain(sh.pid);
    expect(holder.pgids).toEqual([sh.pid]);
    expect(groupListensOn(port, sh.pid!)).toBe(true);
  });
});
