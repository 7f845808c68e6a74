// An append-only log file that rotates by size. All writes and rotations run one at a time from
// one queue, so a rotation always falls between two whole writes: no record is split, lost or
// written twice. Nothing here blocks the event loop: every file operation is asynchronous.
// A failed write (a full disk) drops what waits and, for RETRY_MS, every new record: dropped and
// counted (`droppedLines`), never buffered, so a failing disk costs no memory and no busy retries.
import { EventEmitter } from 'node:events';
import { open, rename, truncate, unlink, type FileHandle } from 'node:fs/promises';
import type { LogSettings } from './settings.js';
import { rotatedPath } from './files.js';

/** Buffered bytes above which `write` returns false (the caller should pause its sources). */
export const DEFAULT_HIGH_WATER_MARK = 1024 * 1024;
const MAX_BATCH_BYTES = 1024 * 1024;
/** After a failed write, records are dropped for this long before the next write is tried. */
export const RETRY_MS = 1000;

export interface RotatingWriterEvents {
  drain: [];
  /** Writes began to fail (once per outage); records are dropped until one succeeds again. */
  error: [Error];
  /** A write succeeded after an outage; the number of lines dropped during it. */
  resumed: [number];
  rotated: [];
  /** The file is flushed and closed. */
  ended: [];
}

/**
 * `write` queues whole records (never split across files); it returns false once more than
 * `highWaterMark` bytes wait, and 'drain' follows when the queue is empty again. A failed write
 * is reported on 'error' (once per outage) and its bytes counted in `lostBytes`, its lines and
 * those dropped while failing in `droppedLines`; 'resumed' follows the first write that succeeds.
 */
export class RotatingWriter extends EventEmitter<RotatingWriterEvents> {
  private readonly queue: Buffer[] = [];
  private queuedBytes = 0;
  private handle: FileHandle | undefined;
  private size = 0;
  private pumping: Promise<void> | undefined;
  private needDrain = false;
  private ending: Promise<void> | undefined;
  lostBytes = 0;
  droppedLines = 0;
  rotations = 0;
  /** Writes fail: records are dropped until `retryAt`, then one write is tried. */
  private failing = false;
  private retryAt = 0;
  private droppedSinceFailure = 0;
  /** The last failed write may have left a record cut short at the end of the file. */
  private suspectTail = false;
  /** `truncate` callers waiting for the pump to empty the files between two batches. */
  private truncations: { resolve: () => void; reject: (e: unknown) => void }[] = [];

  constructor(
    readonly path: string,
    private readonly settings: LogSettings,
    private readonly highWaterMark = DEFAULT_HIGH_WATER_MARK,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  write(text: string): boolean {
    if (this.ending !== undefined) throw new Error(`write after end: ${this.path}`);
    if (this.failing && this.now() < this.retryAt) {
      this.drop(lineCount(text));
      return true;
    }
    const buf = Buffer.from(text);
    this.queue.push(buf);
    this.queuedBytes += buf.length;
    this.pumping ??= this.pump();
    if (this.queuedBytes <= this.highWaterMark) return true;
    this.needDrain = true;
    return false;
  }

  /**
   * Empties the live file and removes the rotated ones (`orch flush`), between two batches of the
   * pump so no rotation or write runs meanwhile; records queued before the call land after it.
   * The live file keeps its path and inode: the writer goes on appending to it.
   */
  truncate(): Promise<void> {
    if (this.ending !== undefined) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.truncations.push({ resolve, reject });
      this.pumping ??= this.pump();
    });
  }

  /** Writes what is queued, then closes the file (idempotent). */
  end(): Promise<void> {
    this.ending ??= this.finish();
    return this.ending;
  }

  private async finish(): Promise<void> {
    while (this.pumping !== undefined) await this.pumping;
    await this.handle?.close().catch(() => undefined);
    this.handle = undefined;
    this.emit('ended');
  }

  private async pump(): Promise<void> {
    try {
      while (this.queue.length > 0 || this.truncations.length > 0) {
        if (this.truncations.length > 0) {
          await this.emptyFiles(this.truncations.splice(0));
          continue;
        }
        const batch = this.takeBatch();
        if (this.needDrain && this.queue.length === 0) {
          // Refill while this batch is written: the sources resume now, not after the write.
          this.needDrain = false;
          this.emit('drain');
        }
        await this.writeBatch(batch);
      }
    } finally {
      this.pumping = undefined;
    }
  }

  /** Whole records up to what still fits in the live file (at least one record). */
  private takeBatch(): Buffer[] {
    const room = Math.max(0, this.settings.maxBytes - this.size);
    const batch: Buffer[] = [];
    let bytes = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      if (batch.length > 0 && (bytes + next.length > MAX_BATCH_BYTES || (room > 0 && bytes + next.length > room))) break;
      batch.push(next);
      bytes += next.length;
      this.queue.shift();
    }
    this.queuedBytes -= bytes;
    return batch;
  }

  private async writeBatch(batch: Buffer[]): Promise<void> {
    const bytes = batch.reduce((n, b) => n + b.length, 0);
    try {
      const handle = await this.ensureOpen();
      if (this.size > 0 && this.size + bytes > this.settings.maxBytes) await this.rotate();
      const live = this.handle ?? handle;
      const lead = this.suspectTail ? await this.tailBreak(live) : [];
      const total = bytes + (lead[0]?.length ?? 0);
      await writeAll(live, [...lead, ...batch], total);
      this.size += total;
      this.suspectTail = false;
      if (this.failing) {
        this.failing = false;
        this.emit('resumed', this.droppedSinceFailure);
        this.droppedSinceFailure = 0;
      }
    } catch (e) {
      this.lostBytes += bytes;
      this.suspectTail = true;
      // What waits would fail the same way: dropped now, not retried record by record.
      let lines = batch.reduce((n, b) => n + lineCount(b), 0);
      for (const queued of this.queue) lines += lineCount(queued);
      this.queue.length = 0;
      this.queuedBytes = 0;
      this.drop(lines);
      this.retryAt = this.now() + RETRY_MS;
      if (!this.failing) {
        this.failing = true;
        this.emit('error', e as Error);
      }
      if (this.needDrain) {
        // Sources paused for backpressure resume: their lines are dropped, not held.
        this.needDrain = false;
        this.emit('drain');
      }
      // Reopen on the next batch: the old handle may be the problem.
      await this.handle?.close().catch(() => undefined);
      this.handle = undefined;
    }
  }

  private async emptyFiles(waiting: readonly { resolve: () => void; reject: (e: unknown) => void }[]): Promise<void> {
    try {
      if (this.handle !== undefined) await this.handle.truncate(0);
      else await truncate(this.path, 0).catch(ignoreMissing);
      this.size = 0;
      this.suspectTail = false;
      // Past `keep` too: files left by a larger ORCH_LOG_KEEP of an earlier daemon.
      for (let k = 1; ; k++) {
        const gone = await unlink(rotatedPath(this.path, k)).then(
          () => true,
          (e: unknown) => (ignoreMissing(e), false),
        );
        if (!gone && k >= this.settings.keep) break;
      }
      for (const w of waiting) w.resolve();
    } catch (e) {
      for (const w of waiting) w.reject(e);
    }
  }

  private drop(lines: number): void {
    this.droppedLines += lines;
    this.droppedSinceFailure += lines;
  }

  /** A newline when the file ends inside a record (a write cut short by a full disk), so the next one starts its own line. */
  private async tailBreak(handle: FileHandle): Promise<Buffer[]> {
    if (this.size === 0) return [];
    const last = Buffer.alloc(1);
    const { bytesRead } = await handle.read(last, 0, 1, this.size - 1);
    return bytesRead === 1 && last[0] !== 0x0a ? [Buffer.from('\n')] : [];
  }

  private async ensureOpen(): Promise<FileHandle> {
    if (this.handle !== undefined) return this.handle;
    // 0600: app output is as private as the rest of ORCH_HOME (rotation renames keep the mode).
    // 'a+': appends, and lets tailBreak read the last byte.
    const handle = await open(this.path, 'a+', 0o600);
    this.size = (await handle.stat()).size;
    this.handle = handle;
    return handle;
  }

  private async rotate(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
    const { keep } = this.settings;
    if (keep === 0) {
      await unlink(this.path).catch(ignoreMissing);
    } else {
      // Oldest first, so each rename lands on a name that was just freed (or is dropped).
      for (let k = keep - 1; k >= 1; k--) await rename(rotatedPath(this.path, k), rotatedPath(this.path, k + 1)).catch(ignoreMissing);
      await rename(this.path, rotatedPath(this.path, 1));
    }
    this.rotations++;
    this.emit('rotated');
    await this.ensureOpen();
  }
}

const lineCount = (text: string | Buffer): number => {
  let n = 0;
  if (typeof text === 'string') {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  } else {
    for (let i = text.indexOf(0x0a); i !== -1; i = text.indexOf(0x0a, i + 1)) n++;
  }
  return n;
};

const ignoreMissing = (e: unknown): void => {
  if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
};

const writeAll = async (handle: FileHandle, batch: Buffer[], bytes: number): Promise<void> => {
  let buffers = batch;
  let left = bytes;
  for (;;) {
    const { bytesWritten } = await handle.writev(buffers);
    left -= bytesWritten;
    if (left <= 0) return;
    // A short write (rare on regular files): continue from where it stopped.
    buffers = [Buffer.concat(buffers).subarray(bytes - left)];
    bytes = left;
  }
};
