// Follows an app's live log across rotations. The follower keeps the file it reads open: after a
// rotation renamed it, the rest of it is still read to the end, then any file rotated past
// unseen (several rotations between two polls), then the new live file from its start.
import { open, stat, type FileHandle } from 'node:fs/promises';
import { rotatedPath } from './files.js';
import type { FilePosition } from './tail.js';

const BLOCK = 256 * 1024;

const inodeOf = async (path: string): Promise<number | undefined> => {
  try {
    return (await stat(path)).ino;
  } catch {
    return undefined;
  }
};

export class LogFollower {
  private handle: FileHandle | undefined;
  private ino: number | undefined;
  private offset = 0;
  private carry: Buffer = Buffer.alloc(0);

  /** `onLines` gets complete lines, oldest first, never twice. */
  constructor(
    private readonly file: string,
    private readonly onLines: (lines: string[]) => void,
    start?: FilePosition,
  ) {
    if (start !== undefined) {
      this.handle = start.handle;
      this.ino = start.ino;
      this.offset = start.offset;
    }
  }

  /** Reads what was appended (and rotated) since the last poll. */
  async poll(): Promise<void> {
    if (this.handle !== undefined) await this.drain();
    const current = await inodeOf(this.file);
    if (current === undefined || current === this.ino) return;
    // Rotated (or first seen): the files between ours and the live one, oldest first.
    if (this.ino !== undefined) {
      // The writer closes a file before renaming it: what we read now is its true end.
      await this.drain();
      const missed: string[] = [];
      for (let k = 1; ; k++) {
        const path = rotatedPath(this.file, k);
        const ino = await inodeOf(path);
        if (ino === undefined || ino === this.ino) break;
        missed.unshift(path);
      }
      for (const path of missed) await this.readWhole(path);
    }
    await this.handle?.close();
    this.handle = await open(this.file, 'r').catch(() => undefined);
    if (this.handle === undefined) return;
    this.ino = (await this.handle.stat()).ino;
    this.offset = 0;
    this.carry = Buffer.alloc(0);
    await this.drain();
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
  }

  private async readWhole(path: string): Promise<void> {
    const handle = await open(path, 'r').catch(() => undefined);
    if (handle === undefined) return;
    const saved = { handle: this.handle, offset: this.offset };
    this.handle = handle;
    this.offset = 0;
    this.carry = Buffer.alloc(0);
    try {
      await this.drain();
    } finally {
      await handle.close();
      this.handle = saved.handle;
      this.offset = saved.offset;
    }
  }

  private async drain(): Promise<void> {
    const handle = this.handle;
    if (handle === undefined) return;
    const block = Buffer.allocUnsafe(BLOCK);
    for (;;) {
      const { bytesRead } = await handle.read(block, 0, BLOCK, this.offset);
      if (bytesRead === 0) return;
      this.offset += bytesRead;
      const data = this.carry.length === 0 ? block.subarray(0, bytesRead) : Buffer.concat([this.carry, block.subarray(0, bytesRead)]);
      const last = data.lastIndexOf(0x0a);
      if (last === -1) {
        this.carry = Buffer.from(data);
        continue;
      }
      this.carry = Buffer.from(data.subarray(last + 1));
      this.onLines(data.subarray(0, last).toString('utf8').split('\n'));
    }
  }
}
