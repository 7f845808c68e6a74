// Many file events -> few requests. One state machine per key (`apply`, `reload:<app>`):
// a burst of triggers within the debounce is one request, and a trigger arriving while that
// key's request runs is queued at most once (never stacked, never lost). Like a controller's
// work queue, a request carries only the key and why: the runner re-reads whatever it needs.

/** The timer the coalescer schedules with; injectable so tests drive a fake clock. */
export interface Timer {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const realTimer: Timer = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Runs one coalesced request. `reasons` are the distinct reasons of every trigger it absorbed, in order. */
export type Runner = (key: string, reasons: readonly string[]) => Promise<void>;

type KeyState =
  | { readonly state: 'debouncing'; readonly timer: unknown; readonly reasons: readonly string[]; readonly debounceMs: number }
  | { readonly state: 'running'; readonly done: Promise<void>; readonly queued: { readonly reasons: readonly string[]; readonly debounceMs: number } | undefined };

export interface CoalescerOptions {
  readonly run: Runner;
  /** A runner's rejection; the key goes on as if the request had finished. */
  readonly onError?: (key: string, error: unknown) => void;
  readonly timer?: Timer;
}

export class Coalescer {
  private readonly keys = new Map<string, KeyState>();
  private closed = false;
  private readonly timer: Timer;

  constructor(private readonly options: CoalescerOptions) {
    this.timer = options.timer ?? realTimer;
  }

  /** Asks for a request for `key`, `debounceMs` after the last trigger of a burst. */
  trigger(key: string, reason: string, debounceMs: number): void {
    if (this.closed) return;
    const current = this.keys.get(key);
    if (current === undefined) {
      this.debounce(key, [reason], debounceMs);
    } else if (current.state === 'debouncing') {
      this.timer.clear(current.timer);
      this.debounce(key, addReason(current.reasons, reason), debounceMs);
    } else {
      const reasons = addReason(current.queued?.reasons ?? [], reason);
      this.keys.set(key, { ...current, queued: { reasons, debounceMs } });
    }
  }

  /** The keys with a request pending or running (for tests and status lines). */
  busy(): ReadonlyMap<string, KeyState['state']> {
    return new Map([...this.keys].map(([k, s]) => [k, s.state]));
  }

  /** Drops pending requests and waits for the running ones; later triggers are ignored. */
  async close(): Promise<void> {
    this.closed = true;
    const running: Promise<void>[] = [];
    for (const [key, s] of this.keys) {
      if (s.state === 'debouncing') {
        this.timer.clear(s.timer);
        this.keys.delete(key);
      } else {
        running.push(s.done);
      }
    }
    await Promise.all(running);
  }

  private debounce(key: string, reasons: readonly string[], debounceMs: number): void {
    const timer = this.timer.set(() => this.start(key, reasons), debounceMs);
    this.keys.set(key, { state: 'debouncing', timer, reasons, debounceMs });
  }

  private start(key: string, reasons: readonly string[]): void {
    const done = Promise.resolve()
      .then(() => this.options.run(key, reasons))
      .catch((e: unknown) => this.options.onError?.(key, e))
      .finally(() => this.finish(key));
    this.keys.set(key, { state: 'running', done, queued: undefined });
  }

  private finish(key: string): void {
    const s = this.keys.get(key);
    this.keys.delete(key);
    if (s?.state !== 'running' || s.queued === undefined || this.closed) return;
    // What arrived during the run is one more request, debounced again from now.
    this.debounce(key, s.queued.reasons, s.queued.debounceMs);
  }
}

// Bounded: a `git checkout` touching 10k files must not grow one request's reasons without limit.
const MAX_REASONS = 50;
const addReason = (reasons: readonly string[], reason: string): readonly string[] =>
  reasons.includes(reason) || reasons.length >= MAX_REASONS ? reasons : [...reasons, reason];
