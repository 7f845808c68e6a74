// A process's descendants, read from /proc and remembered by identity (pid and start time), so
// that they can still be found once the process is gone — its children are then reparented and
// /proc no longer links them to it — and a pid the kernel has since reused is never signalled.
// Linux only: elsewhere nothing is found and nothing is signalled.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isGone, processStartTicks, readAllProcStats, readProcStat } from './proc-stat.js';

/** pid → start time (clock ticks since boot, /proc/<pid>/stat field 22). */
export type Identities = Map<number, string>;

const LINUX = process.platform === 'linux';
/** /proc/<pid>/task/<tid>/children needs CONFIG_PROC_CHILDREN; without it, scan every ppid. */
const CHILDREN_FILES = LINUX && existsSync(`/proc/${process.pid}/task/${process.pid}/children`);

/** A process's direct children, as /proc showed them when the lookup was made. */
export type ChildrenOf = (pid: number) => readonly number[];

const parsePids = (text: string): number[] => text.split(' ').filter((p) => p !== '').map(Number);

/** Direct children, from the children file of each of the process's threads. */
const childrenFromTasks = (pid: number): number[] => {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  return tasks.flatMap((tid) => {
    try {
      return parsePids(readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8'));
    } catch {
      return [];
    }
  });
};

/** Direct children, from one pass over every /proc/<pid>/stat. */
const childrenByScan = (): ChildrenOf => {
  const byParent = new Map<number, number[]>();
  for (const [pid, stat] of readAllProcStats()) {
    const siblings = byParent.get(stat.ppid);
    if (siblings === undefined) byParent.set(stat.ppid, [pid]);
    else siblings.push(pid);
  }
  return (pid) => byParent.get(pid) ?? [];
};

/**
 * A children lookup for now. Where the kernel lacks children files it costs one pass over /proc,
 * so make one and share it across every root read at the same moment.
 */
export const childrenLookup = (): ChildrenOf => (CHILDREN_FILES ? childrenFromTasks : childrenByScan());

/** Every live descendant of `root` now (zombies left out: nothing in them can be killed). */
export const descendantsOf = (root: number, childrenOf: ChildrenOf = childrenLookup()): Identities => {
  const found: Identities = new Map();
  if (!LINUX) return found;
  const queue = [root];
  for (let parent = queue.shift(); parent !== undefined; parent = queue.shift()) {
    for (const child of childrenOf(parent)) {
      const stat = readProcStat(child);
      // The ppid check drops a pid that exited and was reused between the two reads.
      if (stat === undefined || isGone(stat) || stat.ppid !== parent || found.has(child)) continue;
      found.set(child, stat.startTicks);
      queue.push(child);
    }
  }
  return found;
};

/** Those of `known` that are still the same live processes. */
export const stillAlive = (known: Identities): Identities => {
  const alive: Identities = new Map();
  for (const [pid, start] of known) if (processStartTicks(pid) === start) alive.set(pid, start);
  return alive;
};

/**
 * The descendants of one live process, read again on every `refresh()`. One that ended is
 * forgotten; one orphaned while the root lives (its parent exited) is kept while it lives.
 */
export class DescendantTracker {
  private known: Identities = new Map();

  constructor(private readonly root: number) {}

  refresh(childrenOf: ChildrenOf = childrenLookup()): void {
    const next = stillAlive(this.known);
    for (const [pid, start] of descendantsOf(this.root, childrenOf)) next.set(pid, start);
    this.known = next;
  }

  /** Signals every remembered descendant still alive as itself; returns how many were signalled. */
  signal(signal: NodeJS.Signals): number {
    let signalled = 0;
    for (const pid of stillAlive(this.known).keys()) {
      try {
        process.kill(pid, signal);
        signalled++;
      } catch {
        // exited since we looked
      }
    }
    return signalled;
  }
}
