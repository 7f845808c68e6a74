// A pid alone can be reused by the kernel; pid plus the process's start time cannot.
import { processStartTicks } from '../supervisor/proc-stat.js';

export { processStartTicks };

export const isAlive = (pid: number): boolean => processStartTicks(pid) !== undefined;
