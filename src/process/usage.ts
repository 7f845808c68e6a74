// CPU and memory of many processes at once, for `orch status`: one pread of /proc/<pid>/stat per
// process through a descriptor kept open between calls. WARNING: opening, reading and closing
// the file per call (readFile, pidusage's async reads through the thread pool) cost ~60 ms for
// 1,000 processes on a busy host; a kept descriptor reads in ~10. A descriptor of /proc/<pid>
// belongs to that process, not to the number: once it exits, reads fail, even if the pid is reused.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';

export interface ProcessUsage {
  /** Percent of one core since the previous sample of this process (first sample: since it started). */
  readonly cpu: number;
  /** Resident set size in bytes. */
  readonly memory: number;
}

interface Tracked {
  readonly fd: number;
  ticks: number;
  at: number;
}

/** Linux's USER_HZ: what /proc reports in, whatever the kernel's own tick rate. */
const CLK_TCK = 100;

/** The page size, from our own RSS in pages (statm) and in kB (status); 4096 when unreadable. */
const readPageSize = (): number => {
  try {
    const pages = Number(readFileSync('/proc/self/statm', 'latin1').split(' ')[1]);
    const kb = Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'latin1'))?.[1]);
    const estimate = (kb * 1024) / pages;
    // Round to a power of two: the two files are read moments apart.
    return Number.isFinite(estimate) && estimate > 0 ? 2 ** Math.round(Math.log2(estimate)) : 4096;
  } catch {
    return 4096;
  }
};

const readUptimeSeconds = (): number => Number(readFileSync('/proc/uptime', 'latin1').split(' ')[0]);

export class UsageSampler {
  private readonly tracked = new Map<number, Tracked>();
  private readonly buffer = Buffer.alloc(1024);
  private pageSize: number | undefined;

  /**
   * Usage of each pid still alive. `all: true` says `pids` is every process being watched (a
   * status): descriptors of the others are closed then. A partial sample (one app's `describe`)
   * keeps them, so the next full sample still measures CPU since the previous one.
   */
  sample(pids: readonly number[], { all }: { readonly all: boolean } = { all: true }): Map<number, ProcessUsage> {
    const result = new Map<number, ProcessUsage>();
    if (process.platform !== 'linux') return result;
    this.pageSize ??= readPageSize();
    let now: number;
    try {
      now = readUptimeSeconds();
    } catch {
      return result;
    }
    const wanted = new Set(pids);
    if (all) for (const [pid, t] of this.tracked) if (!wanted.has(pid)) this.forget(pid, t);
    for (const pid of wanted) {
      const usage = this.read(pid, now);
      if (usage !== undefined) result.set(pid, usage);
    }
    return result;
  }

  close(): void {
    for (const [pid, t] of this.tracked) this.forget(pid, t);
  }

  private read(pid: number, now: number): ProcessUsage | undefined {
    let t = this.tracked.get(pid);
    let fresh = false;
    if (t === undefined) {
      try {
        t = { fd: openSync(`/proc/${pid}/stat`, 'r'), ticks: 0, at: 0 };
      } catch {
        return undefined;
      }
      this.tracked.set(pid, t);
      fresh = true;
    }
    let text: string;
    try {
      const n = readSync(t.fd, this.buffer, 0, this.buffer.length, 0);
      text = this.buffer.toString('latin1', 0, n);
    } catch {
      this.forget(pid, t);
      return undefined;
    }
    // The command name (field 2) may contain spaces and parentheses: fields start after the last ')'.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    if (f[0] === 'Z' || f[0] === 'X') {
      this.forget(pid, t);
      return undefined;
    }
    const ticks = Number(f[11]) + Number(f[12]);
    const since = fresh ? Number(f[19]) / CLK_TCK : t.at;
    const seconds = now - since;
    const cpu = seconds > 0 ? Math.max(0, ((ticks - (fresh ? 0 : t.ticks)) / CLK_TCK / seconds) * 100) : 0;
    t.ticks = ticks;
    t.at = now;
    return { cpu, memory: Number(f[21]) * this.pageSize! };
  }

  private forget(pid: number, t: Tracked): void {
    this.tracked.delete(pid);
    try {
      closeSync(t.fd);
    } catch {
      // already closed
    }
  }
}
