// CPU time a process has used so far, from /proc/<pid>/stat (the metrics read it at scrape time).
import { readFile } from 'node:fs/promises';

// WARNING: USER_HZ is 100 on every Linux architecture Node runs on (the kernel fixes the unit of
// /proc's tick fields at 100 whatever CONFIG_HZ is); Node offers no sysconf(_SC_CLK_TCK) to ask.
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds of the process itself (not of its children), or undefined when it is gone. */
export const readCpuSeconds = async (pid: number): Promise<number | undefined> => {
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields start after the command name's last ')'; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / TICKS_PER_SECOND : undefined;
};
