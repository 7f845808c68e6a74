// A full-screen view on a terminal, as `top` has it: the alternate screen, the cursor hidden, every
// frame drawn in place, keys read one by one. `close` gives the terminal back as it was found.

const ENTER = '\x1b[?1049h\x1b[?25l';
const LEAVE = '\x1b[?25h\x1b[?1049l';
const HOME = '\x1b[H';
const CLEAR_LINE_END = '\x1b[K';
const CLEAR_BELOW = '\x1b[J';

export interface LiveScreen {
  readonly columns: number;
  readonly rows: number;
  draw(lines: readonly string[]): void;
  close(): void;
}

/** Whether `out` can hold a live screen: a terminal that understands cursor moves. */
export const canGoLive = (out: NodeJS.WriteStream): boolean => Boolean(out.isTTY) && process.env.TERM !== 'dumb';

/**
 * Takes over the terminal; `onKey` gets every key pressed (raw: Ctrl-C is `\x03`, no signal) when
 * stdin is a terminal too, `onResize` every change of its size.
 */
export const openLiveScreen = (
  out: NodeJS.WriteStream,
  input: NodeJS.ReadStream,
  handlers: { readonly onKey: (key: string) => void; readonly onResize: () => void },
): LiveScreen => {
  const rawKeys = Boolean(input.isTTY);
  const onData = (data: Buffer | string): void => {
    for (const key of String(data)) handlers.onKey(key);
  };
  out.write(ENTER);
  out.on('resize', handlers.onResize);
  if (rawKeys) {
    input.setRawMode(true);
    input.on('data', onData);
    input.resume();
  }
  let open = true;
  return {
    get columns() {
      return out.columns ?? 80;
    },
    get rows() {
      return out.rows ?? 24;
    },
    // One write per frame, each line cleared to its end: no flicker, no leftovers of a longer frame.
    draw(lines) {
      if (open) out.write(`${HOME}${lines.map((l) => `${l}${CLEAR_LINE_END}`).join('\r\n')}${CLEAR_BELOW}`);
    },
    close() {
      if (!open) return;
      open = false;
      out.off('resize', handlers.onResize);
      if (rawKeys) {
        input.off('data', onData);
        input.setRawMode(false);
        input.pause();
      }
      out.write(LEAVE);
    },
  };
};
