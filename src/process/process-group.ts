// Signalling and stopping a whole process group: the shutdown signal first, SIGKILL to the
// group after the timeout, and we resolve only once no member of the group is left alive. With a
// cgroup (./cgroup.ts), its members outside the group (a setsid() grandchild) get the
// same signals and must be gone too, and the cgroup is removed. Knows pids and signals, no spec.
import { cgroupPids, killCgroup, removeCgroup } from './cgroup.js';
import { isGone, readAllProcStats, readProcStat } from './proc-stat.js';

/** How to stop a group: the signal first, SIGKILL after `timeoutMs` (an app's shutdown spec is one). */
export interface GroupShutdown {
  readonly signal: NodeJS.Signals;
  readonly timeoutMs: number;
}

export interface StopOutcome {
  /** True when the group had to be SIGKILLed after the shutdown timeout. */
  readonly killed: boolean;
  /** False when members of the group were still alive at the final deadline. */
  readonly groupGone: boolean;
}

const POLL_MS = 50;
/** How long we wait for the kernel after SIGKILL before giving up. */
const KILL_GRACE_MS = 3000;

/** Sends a signal to a process group; false when the group no longer exists. */
export const signalGroup = (pgid: number, signal: NodeJS.Signals | 0): boolean => {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw e;
  }
};

/**
 * The groups among `pgids` that still have a live member, in one pass over /proc. WARNING: when
 * PID 1 does not reap orphans (some containers), dead members stay zombies and still answer
 * kill(-pgid, 0); on Linux we look at /proc and ignore zombies.
 */
export const liveGroups = (pgids: readonly number[]): Set<number> => {
  const candidates = pgids.filter((g) => signalGroup(g, 0));
  if (candidates.length === 0 || process.platform !== 'linux') return new Set(candidates);
  const stats = readAllProcStats();
  if (stats.length === 0) return new Set(candidates);
  const wanted = new Set(candidates);
  const live = new Set<number>();
  for (const [, info] of stats) if (!isGone(info) && wanted.has(info.pgrp)) live.add(info.pgrp);
  return live;
};

/** True while a member of the group is alive (zombies do not count). */
export const groupAlive = (pgid: number): boolean => liveGroups([pgid]).has(pgid);

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Members of the cgroup outside the process group `pgid`, alive (zombies do not count). */
const escapedMembers = (cgroup: string, pgid: number): number[] =>
  cgroupPids(cgroup).filter((pid) => {
    const stat = readProcStat(pid);
    return !isGone(stat) && stat?.pgrp !== pgid;
  });

const signalEach = (pids: readonly number[], signal: NodeJS.Signals): void => {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // exited meanwhile
    }
  }
};

/** Resolves true once the leader exited and the group (and cgroup) is empty, false at the deadline. */
const waitGone = async (pgid: number, exited: Promise<unknown>, deadline: number, cgroup?: string): Promise<boolean> => {
  let leaderDone = false;
  void exited.then(() => {
    leaderDone = true;
  });
  for (;;) {
    if (leaderDone && !groupAlive(pgid) && (cgroup === undefined || escapedMembers(cgroup, pgid).length === 0)) return true;
    if (Date.now() >= deadline) return false;
    await delay(POLL_MS);
  }
};

export const stopProcessGroup = async (
  pgid: number,
  exited: Promise<unknown>,
  shutdown: GroupShutdown,
  cgroup?: string,
): Promise<StopOutcome> => {
  signalGroup(pgid, shutdown.signal);
  // Once each: members of the group already had the signal (some apps read a second one as "force").
  if (cgroup !== undefined) signalEach(escapedMembers(cgroup, pgid), shutdown.signal);
  if (await waitGone(pgid, exited, Date.now() + shutdown.timeoutMs, cgroup)) {
    if (cgroup !== undefined) removeCgroup(await killCgroup(cgroup));
    return { killed: false, groupGone: true };
  }
  signalGroup(pgid, 'SIGKILL');
  if (cgroup !== undefined) await killCgroup(cgroup);
  const groupGone = await waitGone(pgid, exited, Date.now() + KILL_GRACE_MS, cgroup);
  if (cgroup !== undefined) removeCgroup(cgroup);
  return { killed: true, groupGone };
};

/** SIGKILL now to the group and, with one, the whole cgroup (removed once empty); does not wait. */
export const killProcessGroup = (pgid: number, cgroup?: string): void => {
  signalGroup(pgid, 'SIGKILL');
  if (cgroup !== undefined) void killCgroup(cgroup).then(removeCgroup);
};
