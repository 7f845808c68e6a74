// Follows an app's live log across rotations. The follower keeps the file it reads open: after a
// rotation renamed it, the rest of it is still read to the end, then every file rotated past
// unseen (several rotations between two polls), then the new live file from its start.
import { open, type FileHandle } from 'node:fs/promises';
import { exists, inodeOf, rotatedPath } from './files.js';
import type { FilePosition } from './tail.js';

const BLOCK = 256 * 1024;
const CHAIN_ATTEMPTS = 50;

interface OpenFile {
  readonly handle: FileHandle;
  readonly ino: number;
}

const openFile = async (path: string): Promise<OpenFile | undefined> => {
  const handle = await open(path, 'r').catch(() => undefined);
  if (handle === undefined) return undefined;
  return { handle, ino: (await handle.stat()).ino };
};

export class LogFollower {
  private current: OpenFile | undefined;
  private offset = 0;
  private carry: Buffer = Buffer.alloc(0);

  /** `onLines` gets complete lines, oldest first, never twice. */
  constructor(
    private readonly file: string,
    private readonly onLines: (lines: string[]) => void,
    start?: FilePosition,
  ) {
    if (start !== undefined) {
      this.current = { handle: start.handle, ino: start.ino };
      this.offset = start.offset;
    }
  }

  /** Reads what was appended (and rotated) since the last poll. */
  async poll(): Promise<void> {
    await this.drain();
    const live = await inodeOf(this.file);
    if (live === undefined || live === this.current?.ino) return;
    // The writer closes a file before renaming it: what we read now is its true end.
    await this.drain();
    const chain = await this.newerFiles();
    if (chain === undefined) return; // a rotation is mid-way: next poll
    await this.current?.handle.close();
    // Oldest first; the newest is the live file and stays open.
    for (const next of chain.reverse()) {
      this.current = next;
      this.offset = 0;
      this.carry = Buffer.alloc(0);
      await this.drain();
      if (next !== chain.at(-1)) await next.handle.close();
    }
  }

  async close(): Promise<void> {
    await this.current?.handle.close();
    this.current = undefined;
  }

  /**
   * The files newer than ours, newest (live) first, opened. Retried until a scan saw a stable
   * chain: a rotation renames files one by one, so a scan can meet a missing name or a file twice.
   */
  private async newerFiles(): Promise<OpenFile[] | undefined> {
    for (let attempt = 0; attempt < CHAIN_ATTEMPTS; attempt++) {
      const chain: OpenFile[] = [];
      let reachedOurs = this.current === undefined;
      let stoppedAt = 0;
      for (let k = 0; ; k++) {
        const found = await openFile(rotatedPath(this.file, k));
        if (found === undefined) {
          stoppedAt = k;
          break;
        }
        if (found.ino === this.current?.ino) {
          await found.handle.close();
          reachedOurs = true;
          break;
        }
        if (chain.some((f) => f.ino === found.ino)) await found.handle.close();
        else chain.push(found);
      }
      const liveNow = (await openFile(this.file)) ?? { handle: undefined, ino: undefined };
      await liveNow.handle?.close();
      // Ours was not found: either dropped past the kept count, or a rename was in flight.
      const settled = reachedOurs || !(await exists(rotatedPath(this.file, stoppedAt + 1)));
      if (chain.length > 0 && liveNow.ino === chain[0]!.ino && settled) return chain;
      await Promise.all(chain.map((f) => f.handle.close()));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    return undefined;
  }

  private async drain(): Promise<void> {
    const handle = this.current?.handle;
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
