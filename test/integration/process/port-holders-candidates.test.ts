// findPortHolders with candidates: the pids likely to hold the ports are looked at first, and the
// rest of /proc only when some listening socket is still unaccounted for.
import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { findPortHolders } from '../../../src/process/port-holders.js';
import { freePort } from '../../helpers/ports.js';
import { waitFor } from '../../helpers/wait-for.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});
const listener = async (port: number): Promise<number> => {
  const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${port}, '127.0.0.1')`], { stdio: 'ignore' });
  children.push(child);
  await waitFor(() => findPortHolders([port]).get(port)?.pids.includes(child.pid!), { what: 'listening' });
  return child.pid!;
};

describe('findPortHolders with candidates', () => {
  it('finds a holder among the candidates', async () => {
    const port = await freePort();
    const pid = await listener(port);
    expect(findPortHolders([port], 'tcp', [process.pid, pid]).get(port)?.pids).toEqual([pid]);
  });

  it('still finds a holder that is not a candidate, by the full pass', async () => {
    const [a, b] = [await freePort(), await freePort()];
    const inCandidates = await listener(a);
    const elsewhere = await listener(b);
    const found = findPortHolders([a, b], 'tcp', [inCandidates]);
    expect(found.get(a)?.pids).toEqual([inCandidates]);
    expect(found.get(b)?.pids).toEqual([elsewhere]);
  });
});
