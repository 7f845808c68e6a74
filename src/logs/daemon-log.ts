// The daemon's own log file, as pino's destination. It must never make things worse: a write that
// fails (a full disk) is counted and retried later, never logged (logging it is what looped), never
// thrown and never emitted as 'error'. While it fails, lines wait in a small buffer and then are
// dropped and counted; once a write succeeds again, one line says how many were dropped.
//
// WARNING: pino.destination (sonic-boom) is not usable here: on ENOSPC it emits 'error' (uncaught,
// so it is logged, and fails again: ~90% CPU), and its exit-time flushSync retries forever, so a
// daemon told to exit never does.
import { closeSync, openSync, write, writeSync } from 'node:fs';

/** Bytes kept waiting while the file cannot be written; lines beyond are dropped. */
const MAX_PENDING_BYTES = 64 * 1024;
/** How long a failed write waits before the next try. */
export const RETRY_MS = 1000;
/** One write(2) at most this large. */
const MAX_WRITE_BYTES = 256 * 1024;

export interface DaemonLogStats {
  /** Lines dropped because the file could not be written. */
  readonly droppedLines: number;
  /** Writes (or opens) that failed. */
  readonly failedWrites: number;
}

export class DaemonLogFile {
  private fd: number | undefined;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private writing = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryAt = 0;
  private dropped = 0;
  /** Dropped since the last successful write: said once it succeeds again. */
  private droppedUnreported = 0;
  private failures = 0;

  constructor(
    readonly path: string,
    private readonly now: () => number = Date.now,
  ) {}

  stats(): DaemonLogStats {
    return { droppedLines: this.dropped, failedWrites: this.failures };
  }

  /** pino's stream interface: one serialized line (with its '\n'). Never throws. */
  write(line: string): boolean {
    const buf = Buffer.from(line);
    if (this.pendingBytes + buf.length > MAX_PENDING_BYTES) {
      this.dropped++;
      this.droppedUnreported++;
    } else {
      this.pending.push(buf);
      this.pendingBytes += buf.length;
    }
    this.schedule();
    return true;
  }

  /** pino's `logger.flush(cb)`: calls back once what is pending was tried (written or not). */
  flush(cb?: (err?: Error) => void): void {
    this.flushSync();
    cb?.();
  }

  /** One synchronous attempt at what is pending (at exit); on failure it is dropped. Never throws, never waits. */
  flushSync(): void {
    if (this.writing || this.pendingBytes === 0) return;
    try {
      const fd = this.open();
      const buf = Buffer.concat(this.pending);
      let done = 0;
      while (done < buf.length) done += writeSync(fd, buf, done);
    } catch {
      this.failures++;
      this.dropped += this.pending.length;
    }
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Closes the file; later lines reopen it. */
  close(): void {
    this.flushSync();
    if (this.fd !== undefined && !this.writing) {
      closeSync(this.fd);
      this.fd = undefined;
    }
  }

  private open(): number {
    this.fd ??= openSync(this.path, 'a', 0o600);
    return this.fd;
  }

  private schedule(): void {
    if (this.writing || this.retryTimer !== undefined || this.pendingBytes === 0) return;
    const wait = this.retryAt - this.now();
    if (wait > 0) {
      // Never keeps the daemon alive by itself.
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.schedule();
      }, wait);
      this.retryTimer.unref();
      return;
    }
    this.pump();
  }

  private pump(): void {
    let fd: number;
    try {
      fd = this.open();
    } catch {
      this.failed();
      return;
    }
    if (this.droppedUnreported > 0) {
      const note = `${JSON.stringify({ level: 40, time: this.now(), pid: process.pid, droppedLines: this.droppedUnreported, msg: 'daemon.log could not be written; lines were dropped' })}\n`;
      this.pending.unshift(Buffer.from(note));
      this.pendingBytes += note.length;
      this.droppedUnreported = 0;
    }
    const batch = this.takeBatch();
    this.writing = true;
    write(fd, batch, 0, batch.length, null, (err, written) => {
      this.writing = false;
      if (err) {
        // What was not written goes back to the front, to be tried again (or dropped if more come).
        this.pending.unshift(batch);
        this.pendingBytes += batch.length;
        this.failed();
        return;
      }
      if (written < batch.length) {
        const rest = batch.subarray(written);
        this.pending.unshift(rest);
        this.pendingBytes += rest.length;
      }
      this.schedule();
    });
  }

  private takeBatch(): Buffer {
    const parts: Buffer[] = [];
    let bytes = 0;
    while (this.pending.length > 0 && (parts.length === 0 || bytes + this.pending[0]!.length <= MAX_WRITE_BYTES)) {
      const next = this.pending.shift()!;
      parts.push(next);
      bytes += next.length;
    }
    this.pendingBytes -= bytes;
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  private failed(): void {
    this.failures++;
    this.retryAt = this.now() + RETRY_MS;
    this.schedule();
  }
}
