// One daemon per ORCH_HOME: an O_EXCL pid file holding "pid starttime". A lock whose process is
// gone (or whose pid now belongs to another process) is stale and is taken over.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { processStartTicks } from './process-identity.js';

export type LockResult = { readonly acquired: true } | { readonly acquired: false; readonly holder: number };

export const acquireLock = (path: string, pid = process.pid): LockResult => {
  const identity = `${pid} ${processStartTicks(pid) ?? ''}`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, identity);
      closeSync(fd);
      return { acquired: true };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const content = readOrEmpty(path);
    const [holderPid, holderStart] = content.split(' ');
    const holder = Number(holderPid);
    if (Number.isInteger(holder) && holder > 0 && holderStart !== undefined && processStartTicks(holder) === holderStart) {
      return { acquired: false, holder };
    }
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

const readOrEmpty = (path: string): string => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};
