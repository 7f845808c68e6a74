// Every process the daemon spawned, by identity (pid + start time + process group), persisted so
// that a daemon started after a crash can reap what its predecessor left. Re-adopting is not an
// option: an instance's stdout/stderr pipes die with the daemon that read them.
import { readFileSync } from 'node:fs';
import writeFileAtomic from 'write-file-atomic';
import { isGone, processStartTicks, readProcStat } from '../process/proc-stat.js';
import { liveGroups, signalGroup } from '../process/process-group.js';

export interface ProcessIdentity {
  readonly pid: number;
  readonly start: string;
  /** The process group to kill: for a cluster worker, its primary's group. */
  readonly pgid: number;
}

const identityOf = (pid: number): ProcessIdentity | undefined => {
  const stat = readProcStat(pid);
  if (stat === undefined || isGone(stat) || !(stat.pgrp > 0)) return undefined;
  return { pid, start: stat.startTicks, pgid: stat.pgrp };
};

/** Whether this exact process (not a later one with a reused pid) is still running. */
export const stillRunning = (id: ProcessIdentity): boolean => processStartTicks(id.pid) === id.start;

export class ProcessRegistry {
  private entries: ProcessIdentity[] = [];
  private writing: Promise<void> | undefined;
  private dirty = false;

  constructor(private readonly path: string) {}

  /** What a predecessor recorded (empty if nothing, or unreadable). */
  readPrevious(): ProcessIdentity[] {
    try {
      const parsed = JSON.parse(readFileSync(this.path, 'utf8')) as { processes?: ProcessIdentity[] };
      return Array.isArray(parsed.processes) ? parsed.processes : [];
    } catch {
      return [];
    }
  }

  record(pid: number): void {
    const id = identityOf(pid);
    if (!id) return; // already gone: nothing to reap later
    this.entries = [...this.entries, id]; // flush() drops the ones that have exited
    void this.flush();
  }

  /** Writes are coalesced: at most one in flight, and one more queued with the latest entries. */
  flush(): Promise<void> {
    if (this.writing) {
      this.dirty = true;
      return this.writing;
    }
    this.writing = (async () => {
      do {
        this.dirty = false;
        this.entries = this.entries.filter(stillRunning);
        await writeFileAtomic(this.path, JSON.stringify({ processes: this.entries }), { mode: 0o600 }).catch(() => undefined);
      } while (this.dirty);
      this.writing = undefined;
    })();
    return this.writing;
  }
}

/**
 * Stops every recorded process group still running: the shutdown signal first, SIGKILL after
 * `graceMs`, then waits until each group is gone. Returns the identities that were reaped.
 */
export const reap = async (ids: readonly ProcessIdentity[], graceMs = 3000): Promise<ProcessIdentity[]> => {
  const alive = ids.filter(stillRunning);
  const groups = [...new Set(alive.map((i) => i.pgid))];
  const signal = (sig: NodeJS.Signals) => {
    for (const g of groups) {
      try {
        signalGroup(g, sig);
      } catch {
        // not ours to signal (EPERM): nothing more we can do
      }
    }
  };
  // Wait for whole groups, not just their leaders: a grandchild left behind could hold a port.
  const anyLeft = () => liveGroups(groups).size > 0;
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (anyLeft() && Date.now() < deadline) await sleep(25);
  if (anyLeft()) signal('SIGKILL');
  const hardDeadline = Date.now() + 2000;
  while (anyLeft() && Date.now() < hardDeadline) await sleep(25);
  return alive;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
