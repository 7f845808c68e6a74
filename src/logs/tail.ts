// Reads the last lines of an app's logs from the end of its files, newest file first, going on
// to `<app>.log.1`, `.2` … only when the newer files hold fewer lines than asked for.
import { open, type FileHandle } from 'node:fs/promises';
import { exists, inodeOf, rotatedPath } from './files.js';
import type { Verdict } from './filter.js';

const BLOCK = 64 * 1024;
const NEWLINE = 0x0a;

/** Where reading an open file stopped: following goes on from `offset` of inode `ino`. */
export interface FilePosition {
  readonly handle: FileHandle;
  readonly ino: number;
  readonly offset: number;
}

export interface AppTail {
  /** Oldest first. */
  readonly lines: string[];
  /** The live file, still open, positioned after its last complete line (undefined if missing). */
  readonly live: FilePosition | undefined;
}

/**
 * The last `n` complete lines of the file (fewer if it has fewer), reading blocks backwards from
 * `end`. An unterminated last line (a write in progress) is left out; `endOffset` is just past
 * the last complete line.
 */
export const lastLinesOf = async (handle: FileHandle, end: number, n: number): Promise<{ lines: string[]; endOffset: number }> => {
  const blocks: Buffer[] = [];
  let pos = end;
  let newlines = 0;
  let endOffset = -1;
  // One newline more than n: the start of the n-th last line must be known.
  while (pos > 0 && (endOffset === -1 || newlines <= n)) {
    const size = Math.min(BLOCK, pos);
    pos -= size;
    const block = Buffer.allocUnsafe(size);
    const { bytesRead } = await handle.read(block, 0, size, pos);
    const data = block.subarray(0, bytesRead);
    if (endOffset === -1) {
      const last = data.lastIndexOf(NEWLINE);
      if (last !== -1) endOffset = pos + last + 1;
    }
    for (let i = data.indexOf(NEWLINE); i !== -1; i = data.indexOf(NEWLINE, i + 1)) newlines++;
    blocks.unshift(data);
  }
  if (endOffset === -1) return { lines: [], endOffset: 0 };
  const text = Buffer.concat(blocks).subarray(0, endOffset - pos).toString('utf8');
  const lines = text.split('\n');
  lines.pop(); // after the final newline
  return { lines: n === 0 ? [] : lines.slice(-n), endOffset };
};

/**
 * As `lastLinesOf`, counting only lines `verdict` keeps; a 'stop' ends the search (`stopped`):
 * nothing before that line is wanted. Reads backwards one block at a time, splitting as it goes.
 */
export const lastMatchingLinesOf = async (
  handle: FileHandle,
  end: number,
  n: number,
  verdict: (line: string) => Verdict,
): Promise<{ lines: string[]; endOffset: number; stopped: boolean }> => {
  const found: string[] = []; // newest first
  let stopped = false;
  let endOffset = -1;
  let pos = end;
  // Bytes from `pos` not yet split; once endOffset is known it ends with a newline.
  let rest: Buffer = Buffer.alloc(0);
  const take = (line: Buffer): void => {
    const v = verdict(line.toString('utf8'));
    if (v === 'stop') stopped = true;
    else if (v === 'keep') found.push(line.toString('utf8'));
  };
  while (pos > 0 && found.length < n && !stopped) {
    const size = Math.min(BLOCK, pos);
    pos -= size;
    const block = Buffer.allocUnsafe(size);
    const { bytesRead } = await handle.read(block, 0, size, pos);
    rest = Buffer.concat([block.subarray(0, bytesRead), rest]);
    if (endOffset === -1) {
      const last = rest.lastIndexOf(NEWLINE);
      if (last === -1) continue;
      endOffset = pos + last + 1;
      rest = rest.subarray(0, last + 1);
    }
    // Every line after the first newline of `rest` is complete; the first one is complete only at the file's start.
    let lineEnd = rest.length - 1;
    while (found.length < n && !stopped) {
      // WARNING: a negative offset to lastIndexOf counts from the end.
      const start = lineEnd === 0 ? -1 : rest.lastIndexOf(NEWLINE, lineEnd - 1);
      if (start === -1) break;
      take(rest.subarray(start + 1, lineEnd));
      lineEnd = start;
    }
    rest = rest.subarray(0, lineEnd + 1);
    if (pos === 0 && found.length < n && !stopped && rest.length > 0) take(rest.subarray(0, lineEnd));
  }
  return { lines: found.reverse(), endOffset: endOffset === -1 ? 0 : endOffset, stopped };
};

const openIfExists = async (path: string): Promise<FileHandle | undefined> => {
  try {
    return await open(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
};

/**
 * The last `n` lines of `file` and its rotated predecessors. Files are opened newest first and a
 * file seen twice (rotated between two opens) is read once. A rotation renames files one by one,
 * so a name can be missing for a moment: a scan that met a gap with files beyond it, or that a
 * completed rotation overlapped, is retried (up to 50 times, then the last scan is used).
 * With `keepLive`, the live file stays open, positioned for a follower.
 */
export const tailApp = async (file: string, n: number, keepLive: boolean, verdict?: (line: string) => Verdict): Promise<AppTail> => {
  for (let attempt = 0; ; attempt++) {
    const result = await scanTail(file, n, keepLive, verdict);
    if (result.complete || attempt >= 50) return result.tail;
    await result.tail.live?.handle.close();
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
};

const scanTail = async (
  file: string,
  n: number,
  keepLive: boolean,
  verdict: ((line: string) => Verdict) | undefined,
): Promise<{ tail: AppTail; complete: boolean }> => {
  const seen = new Set<number>();
  const parts: string[][] = [];
  let live: FilePosition | undefined;
  let liveIno: number | undefined;
  let wanted = n;
  let generation = 0;
  for (; generation === 0 || wanted > 0; generation++) {
    const handle = await openIfExists(rotatedPath(file, generation));
    if (handle === undefined) break;
    const info = await handle.stat();
    if (seen.has(info.ino)) {
      await handle.close();
      continue;
    }
    seen.add(info.ino);
    if (generation === 0) liveIno = info.ino;
    const { lines, endOffset, stopped } =
      wanted <= 0
        ? { lines: [], endOffset: info.size, stopped: false }
        : verdict === undefined
          ? { ...(await lastLinesOf(handle, info.size, wanted)), stopped: false }
          : await lastMatchingLinesOf(handle, info.size, wanted, verdict);
    parts.unshift(lines);
    // Stopped at a line older than --since: the older files hold nothing wanted.
    wanted = stopped ? 0 : wanted - lines.length;
    if (generation === 0 && keepLive) live = { handle, ino: info.ino, offset: endOffset };
    else await handle.close();
  }
  const gap = (generation === 0 || wanted > 0) && (await exists(rotatedPath(file, generation + 1)));
  // A rotation completed during the scan can move a newer file past an older one: scan again.
  const liveNow = await inodeOf(file);
  return { tail: { lines: parts.flat(), live }, complete: !gap && liveNow === liveIno };
};
