// Stopping an instance stops its whole process group: the shutdown signal first, SIGKILL to the
// group after the timeout, and we resolve only once no member of the group is left alive.
import { readdirSync, readFileSync } from 'node:fs';
import type { ShutdownSpec } from '../config/desired.js';
import type { ExitInfo } from './spawn.js';

export interface StopOutcome {
  readonly exit: ExitInfo | undefined;
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

const procState = (pid: string): { state: string; pgrp: number } | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', pgrp: Number(fields[2]) };
  } catch {
    return undefined;
  }
};

/**
 * True while a member of the group is alive. WARNING: when PID 1 does not reap orphans (some
 * containers), dead grandchildren stay zombies and still answer kill(-pgid, 0); on Linux we look
 * at /proc and ignore zombies.
 */
export const groupAlive = (pgid: number): boolean => {
  if (!signalGroup(pgid, 0)) return false;
  if (process.platform !== 'linux') return true;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true;
  }
  for (const entry of entries) {
    if (entry.charCodeAt(0) < 48 || entry.charCodeAt(0) > 57) continue;
    const info = procState(entry);
    if (info !== undefined && info.pgrp === pgid && info.state !== 'Z' && info.state !== 'X') return true;
  }
  return false;
};

/** True when the process exists and is not a zombie. */
export const processAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (process.platform !== 'linux') return true;
  const info = procState(String(pid));
  return info !== undefined && info.state !== 'Z' && info.state !== 'X';
};

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves true once the leader exited and the group is empty, false at the deadline. */
const waitGone = async (pgid: number, exited: Promise<ExitInfo>, deadline: number): Promise<boolean> => {
  let leaderDone = false;
  void exited.then(() => {
    leaderDone = true;
  });
  for (;;) {
    if (leaderDone && !groupAlive(pgid)) return true;
    if (Date.now() >= deadline) return false;
    await delay(POLL_MS);
  }
};

export const stopProcessGroup = async (
  pgid: number,
  exited: Promise<ExitInfo>,
  shutdown: ShutdownSpec,
): Promise<StopOutcome> => {
  let exit: ExitInfo | undefined;
  void exited.then((e) => {
    exit = e;
  });
  signalGroup(pgid, shutdown.signal);
  if (await waitGone(pgid, exited, Date.now() + shutdown.timeoutMs)) return { exit, killed: false, groupGone: true };
  signalGroup(pgid, 'SIGKILL');
  const groupGone = await waitGone(pgid, exited, Date.now() + KILL_GRACE_MS);
  return { exit, killed: true, groupGone };
};
