// A pid alone can be reused by the kernel; pid plus the process's start time cannot.
import { isGone, readProcStat } from '../supervisor/proc-stat.js';

/**
 * The process's start time in clock ticks since boot, or undefined if it is gone. WARNING: a
 * zombie counts as gone — where pid 1 does not reap orphans, a killed daemon lingers as a zombie
 * that would otherwise look alive.
 */
export const processStartTicks = (pid: number): string | undefined => {
  const stat = readProcStat(pid);
  return stat === undefined || isGone(stat) ? undefined : stat.startTicks;
};

export const isAlive = (pid: number): boolean => processStartTicks(pid) !== undefined;
