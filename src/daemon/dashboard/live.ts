// The page's live feed: one timer for every connected client, and none when nobody looks. Each
// tick reads the daemon's status once and sends the state to every page, with a point of each
// instance's chart every SAMPLE_EVERY_MS; app events are passed on as they are recorded.
import { type StatusSnapshot, stateOf } from './rows.js';
import { SAMPLE_EVERY_MS, type SampleStore } from './samples.js';
import { type AppEvent, type Sample, type Tick, instanceKey } from './wire.js';

export const TICK_MS = 1_000;

export interface LiveDeps {
  readonly status: () => Promise<StatusSnapshot>;
  /** Tells `listener` every app event as it is recorded (the daemon's event log); returns the unsubscribe. */
  readonly subscribeEvents: (listener: (e: AppEvent) => void) => () => void;
  readonly samples: SampleStore;
  readonly now?: () => number;
  readonly tickMs?: number;
  readonly onError?: (err: unknown) => void;
}

export interface Subscriber {
  readonly tick: (tick: Tick) => void;
  readonly events: (events: readonly AppEvent[]) => void;
}

export class LiveFeed {
  private readonly subscribers = new Set<Subscriber>();
  private timer: NodeJS.Timeout | undefined;
  private stopEvents: (() => void) | undefined;
  private running = false;
  private lastSampleAt = -Infinity;

  constructor(private readonly deps: LiveDeps) {}

  /** Sends a tick at once, then every tick; the returned function unsubscribes. */
  subscribe(subscriber: Subscriber): () => void {
    this.subscribers.add(subscriber);
    if (this.timer === undefined) {
      this.timer = setInterval(() => void this.tick(), this.deps.tickMs ?? TICK_MS);
      this.stopEvents = this.deps.subscribeEvents((e) => {
        for (const s of this.subscribers) s.events([e]);
      });
    }
    void this.tick();
    return () => {
      this.subscribers.delete(subscriber);
      if (this.subscribers.size === 0) this.stop();
    };
  }

  /** Whether a timer runs (only while a page is connected). */
  get active(): boolean {
    return this.timer !== undefined;
  }


  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.stopEvents?.();
    this.stopEvents = undefined;
  }

  /** One read of the status for every subscriber; a tick still running makes the next one skip. */
  async tick(): Promise<void> {
    if (this.running || this.subscribers.size === 0) return;
    this.running = true;
    try {
      const now = (this.deps.now ?? Date.now)();
      const state = stateOf(await this.deps.status(), now);
      const samples = now - this.lastSampleAt >= SAMPLE_EVERY_MS ? this.sample(state, now) : undefined;
      const tick: Tick = samples === undefined ? { state } : { state, samples };
      for (const s of this.subscribers) s.tick(tick);
    } catch (err) {
      this.deps.onError?.(err);
    } finally {
      this.running = false;
    }
  }

  private sample(state: Tick['state'], now: number): Record<string, Sample> {
    this.lastSampleAt = now;
    const samples: Record<string, Sample> = {};
    const live = new Set<string>();
    for (const app of state.apps) {
      for (const i of app.instances) {
        const key = instanceKey(app.name, i.index);
        live.add(key);
        if (i.cpu === null || i.memory === null) continue;
        samples[key] = { time: now, cpu: i.cpu, memory: i.memory };
        this.deps.samples.push(key, samples[key]);
      }
    }
    this.deps.samples.keepOnly(live);
    return samples;
  }
}
