// Descriptors a process inherited from whoever exec'd it: on Linux, those open beyond stdio
// without close-on-exec. Node and libuv open every descriptor of their own with O_CLOEXEC, so a
// descriptor that survived our exec without it is not ours (a pipe a shell left open on fd 7, say).
import { closeSync, readdirSync, readFileSync } from 'node:fs';

/** O_CLOEXEC as /proc/<pid>/fdinfo's octal `flags:` shows it. */
const O_CLOEXEC = 0o2000000;

/** Whether the fdinfo text shows close-on-exec; undefined when it has no flags line. */
export const isCloseOnExec = (fdinfo: string): boolean | undefined => {
  const match = /^flags:\s*([0-7]+)$/m.exec(fdinfo);
  return match === null ? undefined : (Number.parseInt(match[1]!, 8) & O_CLOEXEC) !== 0;
};

/** The inherited descriptors of this process (above 2, without close-on-exec), except `keep`. */
export const inheritedFds = (keep: ReadonlySet<number> = new Set()): number[] => {
  let entries: string[];
  try {
    entries = readdirSync('/proc/self/fd');
  } catch {
    return []; // not Linux: nothing we can tell apart safely
  }
  const fds: number[] = [];
  for (const entry of entries) {
    const fd = Number(entry);
    if (!Number.isInteger(fd) || fd <= 2 || keep.has(fd)) continue;
    let info: string;
    try {
      info = readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
    } catch {
      continue; // the descriptor readdir itself used, now closed
    }
    if (isCloseOnExec(info) === false) fds.push(fd);
  }
  return fds;
};

/**
 * Closes what this process inherited beyond stdio (Node's IPC channel, if any, is kept): a daemon
 * must not hold its starter's pipes open, nor pass them on to its apps. Returns what it closed.
 */
export const closeInheritedFds = (env: NodeJS.ProcessEnv = process.env): number[] => {
  const channel = Number(env.NODE_CHANNEL_FD);
  const keep = new Set(Number.isInteger(channel) ? [channel] : []);
  const closed: number[] = [];
  for (const fd of inheritedFds(keep)) {
    try {
      closeSync(fd);
      closed.push(fd);
    } catch {
      // already closed
    }
  }
  return closed;
};
