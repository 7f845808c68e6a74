// A pid alone can be reused by the kernel; pid plus the process's start time cannot.
import { readFileSync } from 'node:fs';

const statFields = (pid: number): string[] | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after its last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
};

/**
 * The process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat), or
 * undefined if it is gone. WARNING: a zombie counts as gone — where pid 1 does not reap
 * orphans, a killed daemon lingers as a zombie that would otherwise look alive.
 */
export const processStartTicks = (pid: number): string | undefined => {
  const fields = statFields(pid);
  if (!fields || fields[0] === 'Z' || fields[0] === 'X') return undefined;
  return fields[19];
};

export const isAlive = (pid: number): boolean => processStartTicks(pid) !== undefined;
