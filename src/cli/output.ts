// How the CLI speaks: colour only on a TTY and never with NO_COLOR; JSON when asked.

export type OutputFormat = 'human' | 'json';

export const useColor = (stream: NodeJS.WriteStream = process.stdout): boolean =>
  Boolean(stream.isTTY) && (process.env.NO_COLOR ?? '') === '' && process.env.TERM !== 'dumb';

export const printJson = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
};

export const println = (text = ''): void => {
  process.stdout.write(`${text}\n`);
};

export const eprintln = (text: string): void => {
  process.stderr.write(`${text}\n`);
};

const code = (open: number, close: number) => (on: boolean, s: string) => (on ? `\x1b[${open}m${s}\x1b[${close}m` : s);
export const paint = { red: code(31, 39), green: code(32, 39), yellow: code(33, 39), dim: code(2, 22), bold: code(1, 22) };


/**
 * Columns padded to their widest cell, two spaces apart — kubectl's look. Hand-written rather
 * than cli-table3: that library (and its string-width/emoji tables) cost ~15 ms of start-up on
 * `orch status`, whose latency is a benchmark target. Cells may hold ANSI colour codes.
 */
const ESC = String.fromCharCode(27);
const ANSI = new RegExp(`${ESC}\\[[0-9;]*m`, 'g');
const ANSI_AT = new RegExp(`^${ESC}\\[[0-9;]*m`);

export const formatTable = (head: readonly string[], rows: readonly (readonly string[])[]): string => {
  const visible = (s: string) => s.replace(ANSI, '').length;
  const widths = head.map((h, i) => Math.max(visible(h), ...rows.map((r) => visible(r[i] ?? ''))));
  return [head, ...rows]
    .map((r) => r.map((c, i) => c + ' '.repeat(Math.max(0, widths[i]! - visible(c)))).join('  ').trimEnd())
    .join('\n');
};

/** `line` cut to `width` visible characters; colour codes are kept and count for nothing. */
export const clip = (line: string, width: number): string => {
  let out = '';
  let visible = 0;
  let coloured = false;
  for (let i = 0; i < line.length; ) {
    const code = ANSI_AT.exec(line.slice(i))?.[0];
    if (code !== undefined) {
      out += code;
      coloured = true;
      i += code.length;
      continue;
    }
    if (visible === width) return coloured ? `${out}${ESC}[0m` : out;
    out += line[i];
    visible++;
    i++;
  }
  return out;
};
