// Resident memory of a process, for max_memory.
import { readFile } from 'node:fs/promises';
import pidusage from 'pidusage';

/** RSS in bytes, or undefined when the process is gone. */
export const readRss = async (pid: number): Promise<number | undefined> => {
  if (process.platform === 'linux') {
    try {
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
      return kb === undefined ? undefined : Number(kb) * 1024;
    } catch {
      return undefined;
    }
  }
  try {
    return (await pidusage(pid)).memory;
  } catch {
    return undefined;
  }
};
