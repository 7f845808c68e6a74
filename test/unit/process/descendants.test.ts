import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { DescendantTracker, descendantsOf, type Identities, stillAlive } from '../../../src/process/descendants.js';
import { readProcStat } from '../../../src/process/proc-stat.js';
import { isAlive as processAlive } from '../../../src/process/proc-stat.js';
import { waitFor } from '../../helpers/wait-for.js';

// Every process a test starts, by identity, so afterEach kills exactly those and never a reused pid.
const started: Identities = new Map();
const children: ChildProcess[] = [];

const startTicks = (pid: number): string => {
  const stat = readProcStat(pid);
  if (stat === undefined) throw new Error(`no /proc/${pid}/stat`);
  return stat.startTicks;
};

const remember = (pid: number): number => {
  started.set(pid, startTicks(pid));
  return pid;
};

const exited = (child: ChildProcess): Promise<unknown> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : once(child, 'exit');

interface Shell {
  readonly sh: ChildProcess;
  readonly root: number;
  /** The pids the script printed, in the order it printed them. */
  readonly pids: number[];
}

/** Runs `script` in /bin/sh and reads one pid per line of its stdout until it printed `count`. */
const spawnShell = async (script: string, count: number): Promise<Shell> => {
  const sh = spawn('/bin/sh', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(sh);
  const root = sh.pid;
  if (root === undefined) throw new Error('sh did not start');
  remember(root);
  let text = '';
  sh.stdout?.setEncoding('utf8');
  const pids = await new Promise<number[]>((resolve, reject) => {
    sh.once('exit', () => reject(new Error(`sh exited before printing ${count} pids: ${JSON.stringify(text)}`)));
    sh.stdout?.on('data', (chunk: string) => {
      text += chunk;
      const lines = text.split('\n').slice(0, -1);
      if (lines.length >= count) resolve(lines.slice(0, count).map(Number));
    });
  });
  for (const pid of pids) remember(pid);
  return { sh, root, pids };
};

/** sh with one background sleep, as `sleep`. */
const shWithSleep = async (): Promise<Shell & { sleep: number }> => {
  const shell = await spawnShell('sleep 1000 & echo $!; wait', 1);
  return { ...shell, sleep: shell.pids[0]! };
};

/** A pid that just exited and was reaped. */
const deadPid = async (): Promise<{ pid: number; start: string }> => {
  const child = spawn('/bin/sleep', ['0.05']);
  children.push(child);
  const pid = child.pid!;
  const start = startTicks(pid);
  await exited(child);
  return { pid, start };
};

const killHard = async (child: ChildProcess): Promise<void> => {
  child.kill('SIGKILL');
  await exited(child);
};

afterEach(async () => {
  for (const pid of stillAlive(started).keys()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone in between
    }
  }
  await Promise.all(children.map((child) => exited(child)));
  const leftovers = [...started.keys()];
  started.clear();
  children.length = 0;
  await waitFor(() => leftovers.every((pid) => !processAlive(pid)), { what: 'the test processes killed' });
});

describe.runIf(process.platform === 'linux')('descendantsOf', () => {
  it('finds a live child with its start time, and not the root itself', async () => {
    const { root, sleep } = await shWithSleep();
    expect(descendantsOf(root)).toEqual(new Map([[sleep, startTicks(sleep)]]));
  });

  it('finds grandchildren through an intermediate process', async () => {
    // The inner sh prints its own pid, then its sleep's.
    const { root, pids } = await spawnShell(`sh -c 'echo $$; sleep 1000 & echo $!; wait' & wait`, 2);
    const [inner, sleep] = pids as [number, number];
    expect(descendantsOf(root)).toEqual(
      new Map([
        [inner, startTicks(inner)],
        [sleep, startTicks(sleep)],
      ]),
    );
    expect(descendantsOf(inner)).toEqual(new Map([[sleep, startTicks(sleep)]]));
  });

  it('leaves out a zombie child', async () => {
    // The exec'd sleep inherits the short sleep as a child but never waits for it.
    const { root, pids } = await spawnShell('sleep 0 & echo $!; exec sleep 1000', 1);
    const zombie = pids[0]!;
    await waitFor(() => readProcStat(zombie)?.state === 'Z', { what: `${zombie} a zombie` });
    expect(readProcStat(zombie)?.ppid).toBe(root);
    expect(descendantsOf(root).size).toBe(0);
  });

  it('finds nothing under a process without children, nor under a pid that does not exist', async () => {
    const { sleep } = await shWithSleep();
    expect(descendantsOf(sleep).size).toBe(0);
    expect(descendantsOf((await deadPid()).pid).size).toBe(0);
  });

  it('no longer links a child to its killed parent: it was reparented', async () => {
    const { sh, root, sleep } = await shWithSleep();
    await killHard(sh);
    expect(processAlive(sleep)).toBe(true);
    expect(readProcStat(sleep)?.ppid).not.toBe(root);
    expect(descendantsOf(root).size).toBe(0);
  });
});

describe.runIf(process.platform === 'linux')('stillAlive', () => {
  it('keeps a live identity and drops a wrong start time and a dead pid', async () => {
    const { pids } = await spawnShell('sleep 1000 & echo $!; sleep 1000 & echo $!; wait', 2);
    const [live, reused] = pids as [number, number];
    const dead = await deadPid();
    const known: Identities = new Map([
      [live, startTicks(live)],
      // Alive, but not the process we knew: as if the kernel had reused the pid.
      [reused, String(Number(startTicks(reused)) + 1)],
      [dead.pid, dead.start],
    ]);
    expect(stillAlive(known)).toEqual(new Map([[live, startTicks(live)]]));
  });

  it('drops a zombie', async () => {
    const { pids } = await spawnShell('sleep 0 & echo $!; exec sleep 1000', 1);
    const zombie = pids[0]!;
    const known: Identities = new Map([[zombie, startTicks(zombie)]]);
    await waitFor(() => readProcStat(zombie)?.state === 'Z', { what: `${zombie} a zombie` });
    expect(stillAlive(known).size).toBe(0);
  });

  it('returns an empty map for no identities', () => {
    expect(stillAlive(new Map()).size).toBe(0);
  });
});

describe.runIf(process.platform === 'linux')('DescendantTracker', () => {
  it.each([
    { name: 'refreshed only while the root lived', refreshAfterRootDied: false },
    { name: 'refreshed again after the root died', refreshAfterRootDied: true },
  ])('signals an orphaned descendant once the root is gone ($name)', async ({ refreshAfterRootDied }) => {
    const { sh, root, sleep } = await shWithSleep();
    const tracker = new DescendantTracker(root);
    tracker.refresh();
    await killHard(sh);
    expect(descendantsOf(root).has(sleep)).toBe(false);
    if (refreshAfterRootDied) tracker.refresh();

    expect(tracker.signal('SIGTERM')).toBe(1);
    await waitFor(() => !processAlive(sleep), { what: `sleep ${sleep} dead of SIGTERM` });
    expect(tracker.signal('SIGTERM')).toBe(0);
  });

  it('signals every descendant, grandchildren included, and not the root', async () => {
    // The root outlives its children (exec after wait), so a signal sent to it would show.
    const { root, pids } = await spawnShell(`sh -c 'echo $$; sleep 1000 & echo $!; wait' & sleep 1000 & echo $!; wait; exec sleep 1000`, 3);
    const tracker = new DescendantTracker(root);
    tracker.refresh();
    expect(tracker.signal('SIGKILL')).toBe(3);
    await waitFor(() => pids.every((pid) => !processAlive(pid)), { what: 'every descendant dead' });
    expect(processAlive(root)).toBe(true);
    expect(tracker.signal('SIGKILL')).toBe(0);
  });

  it('forgets a descendant that ended, on the next refresh', async () => {
    const { root, pids } = await spawnShell('sleep 1000 & echo $!; wait; exec sleep 1000', 1);
    const sleep = pids[0]!;
    const tracker = new DescendantTracker(root);
    tracker.refresh();
    process.kill(sleep, 'SIGKILL');
    await waitFor(() => !processAlive(sleep), { what: 'the sleep dead' });
    tracker.refresh();
    expect(tracker.signal('SIGTERM')).toBe(0);
    expect(processAlive(root)).toBe(true);
  });

  it.each([
    { name: 'never refreshed', refresh: false },
    { name: 'refreshed over a root without children', refresh: true },
  ])('signals nothing when nothing remains: $name', async ({ refresh }) => {
    const { root } = await spawnShell('echo $$; exec sleep 1000', 1);
    const tracker = new DescendantTracker(root);
    if (refresh) tracker.refresh();
    expect(tracker.signal('SIGTERM')).toBe(0);
    expect(processAlive(root)).toBe(true);
  });
});
