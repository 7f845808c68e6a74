// One daemon per ORCH_HOME: an O_EXCL pid file holding "pid starttime". A lock whose process is
// gone (or whose pid now belongs to another process) is stale and is taken over.
// A CLI that edits the persisted state while no daemon runs (`orch down`) takes the same lock as
// an "editor" ("pid starttime edit") for the milliseconds of its write; a starter that finds an
// editor waits for it instead of concluding that a daemon runs.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { processStartTicks } from '../process/proc-stat.js';

export type LockResult = { readonly acquired: true } | { readonly acquired: false; readonly holder: number };

export type LockPurpose = 'daemon' | 'edit';

/** How long a starter waits for an editor to finish before giving up (an editor holds the lock for milliseconds). */
export const EDITOR_WAIT_MS = 3_000;

export const acquireLock = (path: string, pid = process.pid, purpose: LockPurpose = 'daemon'): LockResult => {
  const identity = `${pid} ${processStartTicks(pid) ?? ''}${purpose === 'edit' ? ' edit' : ''}`;
  const deadline = Date.now() + EDITOR_WAIT_MS;
  for (let attempt = 0; attempt < 3; ) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, identity);
      closeSync(fd);
      return { acquired: true };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const content = readOrEmpty(path);
    // Created but not yet written: its holder is between open and write, not dead.
    if (content === '' && Date.now() < deadline) {
      sleepSync(1);
      continue;
    }
    const [holderPid, holderStart, holderPurpose] = content.split(' ');
    const holder = Number(holderPid);
    if (Number.isInteger(holder) && holder > 0 && holderStart !== undefined && processStartTicks(holder) === holderStart) {
      if (holderPurpose !== 'edit' || Date.now() > deadline) return { acquired: false, holder };
      sleepSync(5);
      continue;
    }
    attempt++;
    // WARNING: read-compare-unlink is not atomic; two starters racing over the same stale lock
    // could both pass. The window is microseconds and the loser then fails to bind the socket.
    if (readOrEmpty(path) === content) {
      try {
        unlinkSync(path);
      } catch {
        // someone else took it over first; retry
      }
    }
  }
  return { acquired: false, holder: 0 };
};

export const releaseLock = (path: string, pid = process.pid): void => {
  if (readOrEmpty(path).split(' ')[0] === String(pid)) {
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  }
};

export interface LockHolder {
  readonly pid: number;
  /** The holder's start time in clock ticks: with the pid, the process's identity. */
  readonly start: string;
}

/**
 * The daemon that holds the lock at `path`, verified by pid and start time (a reused pid is not
 * it); undefined when none runs or an editor holds the lock. How the CLI finds a daemon whose
 * socket is gone or does not answer.
 */
export const lockHolder = (path: string): LockHolder | undefined => {
  const [holderPid, start, purpose] = readOrEmpty(path).split(' ');
  const pid = Number(holderPid);
  if (!Number.isInteger(pid) || pid <= 0 || start === undefined || start === '' || purpose === 'edit') return undefined;
  return processStartTicks(pid) === start ? { pid, start } : undefined;
};

// WARNING: blocks the thread. Only for the few milliseconds a lock is being written or an editor
// holds it, in a process that does nothing else meanwhile (acquireLock is synchronous).
const sleepSync = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

const readOrEmpty = (path: string): string => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};
