// UsageSampler against real processes: a busy loop shows CPU, a sleeper none, both their RSS;
// a process that exited is left out and its descriptor closed.
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageSampler } from '../../../src/process/usage.js';
import { waitFor } from '../../helpers/wait-for.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});
const start = (args: string[], command = process.execPath): number => {
  const child = spawn(command, args, { stdio: 'ignore' });
  children.push(child);
  return child.pid!;
};
const openFds = (): number => readdirSync('/proc/self/fd').length;

describe.runIf(process.platform === 'linux')('UsageSampler', () => {
  it('reports CPU of a busy process, none of an idle one, and the RSS of both', async () => {
    const busy = start(['-e', 'for (;;) {}']);
    // sleep, not node: a starting node burns CPU for a while, and would not be idle yet.
    const idle = start(['100'], 'sleep');
    const sampler = new UsageSampler();
    try {
      sampler.sample([busy, idle]);
      // CPU is measured since the previous sample: wait until the busy loop has burnt some.
      const usage = await waitFor(
        () => {
          const u = sampler.sample([busy, idle]);
          return (u.get(busy)?.cpu ?? 0) > 20 ? u : undefined;
        },
        { what: 'busy CPU', interval: 200 },
      );
      expect(usage.get(idle)!.cpu).toBeLessThan(20);
      expect(usage.get(busy)!.memory).toBeGreaterThan(5 * 2 ** 20);
      expect(usage.get(idle)!.memory).toBeGreaterThan(100 * 1024);
    } finally {
      sampler.close();
    }
  });

  it('leaves out a process that exited and closes descriptors it no longer needs', async () => {
    const sampler = new UsageSampler();
    const before = openFds();
    const pid = start(['-e', 'setInterval(() => {}, 1000)']);
    expect(sampler.sample([pid]).has(pid)).toBe(true);
    expect(openFds()).toBe(before + 1);
    children.pop()!.kill('SIGKILL');
    await waitFor(() => !sampler.sample([pid]).has(pid), { what: 'exit seen' });
    expect(openFds()).toBe(before);
    expect(sampler.sample([]).size).toBe(0);
  });
});

describe('UsageSampler: a partial sample', () => {
  it('keeps the descriptors of the pids it was not asked about, so the next full sample measures since the last one', () => {
    const sampler = new UsageSampler();
    const statFds = (): string[] =>
      readdirSync('/proc/self/fd').flatMap((fd) => {
        try {
          const target = readlinkSync(`/proc/self/fd/${fd}`);
          return /^\/proc\/\d+\/stat$/.test(target) ? [target] : [];
        } catch {
          return [];
        }
      });
    const [a, b] = [process.pid, process.ppid];
    sampler.sample([a, b]);
    expect(statFds()).toEqual(expect.arrayContaining([`/proc/${a}/stat`, `/proc/${b}/stat`]));
    sampler.sample([a], { all: false });
    expect(statFds()).toContain(`/proc/${b}/stat`);
    sampler.sample([a]);
    expect(statFds()).not.toContain(`/proc/${b}/stat`);
    sampler.close();
  });
});
