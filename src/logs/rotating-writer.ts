// An append-only log file that rotates by size. All writes and rotations run one at a time from
// one queue, so a rotation always falls between two whole writes: no record is split, lost or
// written twice. Nothing here blocks the event loop: every file operation is asynchronous.
import { EventEmitter } from 'node:events';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import type { LogSettings } from './settings.js';
import { rotatedPath } from './files.js';

/** Buffered bytes above which `write` returns false (the caller should pause its sources). */
export const DEFAULT_HIGH_WATER_MARK = 1024 * 1024;
const MAX_BATCH_BYTES = 1024 * 1024;

export interface RotatingWriterEvents {
  drain: [];
  error: [Error];
  rotated: [];
  /** The file is flushed and closed. */
  ended: [];
}

/**
 * `write` queues whole records (never split across files); it returns false once more than
 * `highWaterMark` bytes wait, and 'drain' follows when the queue is empty again. A failed write
 * is reported on 'error' and its bytes counted in `lostBytes`; the writer goes on with the next.
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
  rotations = 0;

  constructor(
    readonly path: string,
    private readonly settings: LogSettings,
    private readonly highWaterMark = DEFAULT_HIGH_WATER_MARK,
  ) {
    super();
  }

  write(text: string): boolean {
    if (this.ending !== undefined) throw new Error(`write after end: ${this.path}`);
    const buf = Buffer.from(text);
    this.queue.push(buf);
    this.queuedBytes += buf.length;
    this.pumping ??= this.pump();
    if (this.queuedBytes <= this.highWaterMark) return true;
    this.needDrain = true;
    return false;
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
      while (this.queue.length > 0) {
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
      await writeAll(this.handle ?? handle, batch, bytes);
      this.size += bytes;
    } catch (e) {
      this.lostBytes += bytes;
      this.emit('error', e as Error);
      // Reopen on the next batch: the old handle may be the problem.
      await this.handle?.close().catch(() => undefined);
      this.handle = undefined;
    }
  }

  private async ensureOpen(): Promise<FileHandle> {
    if (this.handle !== undefined) return this.handle;
    const handle = await open(this.path, 'a');
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
