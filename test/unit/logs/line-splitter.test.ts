import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../../src/logs/line-splitter.js';

describe('LineSplitter', () => {
  it.each([
    { name: 'one chunk, several lines', chunks: ['a\nb\n'], lines: ['a', 'b'], rest: [] },
    { name: 'a line split across chunks', chunks: ['ab', 'c\nd'], lines: ['abc'], rest: ['d'] },
    { name: 'CRLF and empty lines', chunks: ['a\r\n\r\n', '\n'], lines: ['a', '', ''], rest: [] },
    { name: 'CR split from its LF', chunks: ['a\r', '\nb'], lines: ['a'], rest: ['b'] },
    { name: 'no newline at all', chunks: ['abc'], lines: [], rest: ['abc'] },
    { name: 'CR inside a line is kept', chunks: ['a\rb\n'], lines: ['a\rb'], rest: [] },
  ])('$name', ({ chunks, lines, rest }) => {
    const s = new LineSplitter();
    expect(chunks.flatMap((c) => s.push(Buffer.from(c)))).toEqual(lines);
    expect(s.end()).toEqual(rest);
    expect(s.end()).toEqual([]);
  });

  it('keeps a multi-byte character split between chunks whole', () => {
    const s = new LineSplitter();
    const bytes = Buffer.from('é\n');
    expect(s.push(bytes.subarray(0, 1))).toEqual([]);
    expect(s.push(bytes.subarray(1))).toEqual(['é']);
  });

  it('breaks a line longer than the limit into pieces, loses nothing and counts each break', () => {
    const s = new LineSplitter(4);
    expect(s.push('abcdefghij\nxy\n')).toEqual(['abcd', 'efgh', 'ij', 'xy']);
    expect(s.forcedBreaks).toBe(2);
  });

  it('bounds what it holds for a line that never ends', () => {
    const s = new LineSplitter(4);
    const out: string[] = [];
    for (let k = 0; k < 5; k++) out.push(...s.push('abc'));
    out.push(...s.end());
    expect(out.join('')).toBe('abc'.repeat(5));
    expect(out.every((piece) => piece.length <= 4)).toBe(true);
    expect(s.forcedBreaks).toBe(out.length - 1);
  });

  it('does not split a surrogate pair when it breaks a line', () => {
    const s = new LineSplitter(4);
    expect(s.push('abc😀d\n')).toEqual(['abc', '😀d']);
  });
});
