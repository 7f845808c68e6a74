// Turns a byte stream into whole lines. Lines are handed out as one block of text joined by
// '\n' (no trailing newline), so the capture can prefix them all with one native replaceAll
// instead of one string per line.
import { StringDecoder } from 'node:string_decoder';

/**
 * The longest line kept whole, in UTF-16 code units. A longer line is broken into pieces of this
 * length, each written as its own record: no data is dropped, and every forced break is counted
 * (`forcedBreaks`) so the capture can report it. The limit bounds the memory one source can hold
 * while it writes without ever ending a line.
 */
export const DEFAULT_MAX_LINE_LENGTH = 64 * 1024;

export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  /** Lines broken because they were longer than `maxLineLength`. */
  forcedBreaks = 0;

  constructor(private readonly maxLineLength = DEFAULT_MAX_LINE_LENGTH) {}

  /** The complete lines `chunk` finishes, joined by '\n'; undefined when it finishes none. */
  pushBlock(chunk: Buffer | string): string | undefined {
    const text = this.pending + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    const lastNewline = text.lastIndexOf('\n');
    if (text.length <= this.maxLineLength) {
      // Fast path: no line in here can be too long.
      if (lastNewline === -1) {
        this.pending = text;
        return undefined;
      }
      this.pending = text.slice(lastNewline + 1);
      return stripCr(text.slice(0, lastNewline));
    }
    return this.slowPath(text, lastNewline);
  }

  /** Lines as an array (tests and callers that need them one by one). */
  push(chunk: Buffer | string): string[] {
    const block = this.pushBlock(chunk);
    return block === undefined ? [] : block.split('\n');
  }

  /** The unterminated last line, if any (end of stream). */
  endBlock(): string | undefined {
    const rest = this.pending + this.decoder.end();
    this.pending = '';
    if (rest === '') return undefined;
    return stripCr(this.breakLong(rest).join('\n'));
  }

  end(): string[] {
    const block = this.endBlock();
    return block === undefined ? [] : block.split('\n');
  }

  private slowPath(text: string, lastNewline: number): string | undefined {
    const complete = lastNewline === -1 ? [] : text.slice(0, lastNewline).split('\n');
    const out = complete.flatMap((line) => this.breakLong(stripCr(line)));
    // The unterminated rest: its full pieces are written, the last one waits for more.
    const pieces = this.breakLong(lastNewline === -1 ? text : text.slice(lastNewline + 1));
    this.pending = pieces.pop() ?? '';
    out.push(...pieces);
    return out.length === 0 ? undefined : out.join('\n');
  }

  private breakLong(line: string): string[] {
    if (line.length <= this.maxLineLength) return [line];
    const pieces: string[] = [];
    let rest = line;
    while (rest.length > this.maxLineLength) {
      const cut = safeCut(rest, this.maxLineLength);
      pieces.push(rest.slice(0, cut));
      rest = rest.slice(cut);
      this.forcedBreaks++;
    }
    pieces.push(rest);
    return pieces;
  }
}

/** Where to cut `text` near `at` without splitting a surrogate pair. */
const safeCut = (text: string, at: number): number => {
  const code = text.charCodeAt(at - 1);
  return code >= 0xd800 && code <= 0xdbff ? at - 1 : at;
};

const stripCr = (block: string): string => {
  if (!block.includes('\r')) return block;
  const lines = block.replaceAll('\r\n', '\n');
  return lines.endsWith('\r') ? lines.slice(0, -1) : lines;
};
