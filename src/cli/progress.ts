// SPEC §4: long waits (apply, reload) show progress on a TTY. One line at the bottom names what
// is in flight and for how long; finished lines are printed above it. Off a TTY (pipes, CI,
// tests) it writes nothing, so output stays exactly the finished lines.

const FRAMES = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';
const TICK_MS = 100;

export interface Progress {
  /** Something started: shown until `done(label)`. */
  start(label: string): void;
  done(label: string): void;
  /** Prints a finished line above the ticker. */
  print(line: string): void;
  /** Removes the ticker for good. */
  stop(): void;
}

export interface ProgressOptions {
  readonly stream?: Pick<NodeJS.WriteStream, 'write' | 'isTTY' | 'columns'>;
  readonly now?: () => number;
}

export const createProgress = ({ stream = process.stdout, now = Date.now }: ProgressOptions = {}): Progress => {
  const live = Boolean(stream.isTTY) && process.env.TERM !== 'dumb';
  const running = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let shown = false;
  let frame = 0;

  const clear = (): void => {
    if (shown) stream.write('\r\x1b[2K');
    shown = false;
  };
  const draw = (): void => {
    clear();
    if (running.size === 0) return;
    const at = now();
    const text = [...running].map(([label, since]) => `${label} (${Math.floor((at - since) / 1000)}s)`).join(', ');
    const width = Math.max(20, (stream.columns ?? 80) - 3);
    // One physical line, or clearing it would leave the wrapped part behind.
    stream.write(`${FRAMES[frame++ % FRAMES.length]} ${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
    shown = true;
  };
  const idle = (): void => {
    if (running.size > 0 || timer === undefined) return;
    clearInterval(timer);
    timer = undefined;
  };

  return {
    start(label) {
      if (!live) return;
      running.set(label, now());
      if (timer === undefined) {
        timer = setInterval(draw, TICK_MS);
        timer.unref();
      }
      draw();
    },
    done(label) {
      if (!running.delete(label)) return;
      draw();
      idle();
    },
    print(line) {
      clear();
      stream.write(`${line}\n`);
      if (running.size > 0) draw();
    },
    stop() {
      running.clear();
      idle();
      clear();
    },
  };
};
