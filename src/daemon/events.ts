// The event log of each app (SPEC §12; `orch events`, `orch describe`): what the supervisor saw
// (its onEvent) and what the daemon did (applies, log drops). A bounded ring per app in memory;
// with a sink (event-store.ts) every event is also appended to a per-app file, off the hot path,
// so the log survives a daemon restart. An app's events go with the app on delete.
import type { AppEvent } from '../supervisor/types.js';

/** Events kept per app: enough for a crash loop's story, small enough for 10,000 apps. */
export const EVENTS_PER_APP = 200;

/**
 * Events of an app that the daemon records itself, not the supervisor: `applied` (an apply
 * recorded `generation` for the app's project; `action`/`status`: what its plan did to this app,
 * if anything), `logs-dropping` (its log file cannot be written: lines are dropped and counted),
 * `logs-resumed` (writable again; `droppedLines` were dropped meanwhile).
 */
export type DaemonEventType = 'applied' | 'logs-dropping' | 'logs-resumed';

/** One event of the log: the supervisor's (AppEvent) or the daemon's. Plain JSON; fields a type does not use are absent. */
export interface OrchEvent extends Omit<AppEvent, 'type'> {
  readonly type: AppEvent['type'] | DaemonEventType;
  readonly project?: string;
  readonly generation?: number;
  readonly action?: string;
  readonly status?: 'ok' | 'failed' | 'skipped';
  readonly droppedLines?: number;
}

/** An event as `orch events` gets it: `seq` increases with every event of one daemon run (`-f` asks for those after it). */
export type LoggedEvent = OrchEvent & { readonly seq: number };

export interface EventQuery {
  readonly app?: string | undefined;
  /** Epoch ms: events at or after it. */
  readonly since?: number | undefined;
  /** Only events with a greater seq. */
  readonly after?: number | undefined;
}

/** Where events are kept beyond memory (event-store.ts). Both calls must return at once. */
export interface EventSink {
  /** `ring` is the app's current ring, for a sink that compacts its file to it. */
  append(app: string, event: OrchEvent, ring: () => readonly OrchEvent[]): void;
  remove(app: string): void;
}

export class EventLog {
  private readonly rings = new Map<string, LoggedEvent[]>();
  private seq = 0;
  private readonly listeners = new Set<(e: LoggedEvent) => void>();

  constructor(
    private readonly perApp = EVENTS_PER_APP,
    private readonly sink?: EventSink,
  ) {}

  /** Events read back from the sink at start-up, oldest first; not written again. */
  restore(events: readonly OrchEvent[]): void {
    for (const event of events.slice(-this.perApp)) this.push(event);
  }

  record(event: OrchEvent): void {
    const logged = this.push(event);
    this.sink?.append(event.app, event, () => this.of(event.app));
    for (const listener of this.listeners) listener(logged);
  }

  /** The app's most recent events, oldest first. */
  of(app: string): readonly OrchEvent[] {
    return (this.rings.get(app) ?? []).slice(-this.perApp).map(withoutSeq);
  }

  /** Every kept event that fits `q`, in the order they were recorded. */
  query(q: EventQuery = {}): LoggedEvent[] {
    const rings = q.app === undefined ? [...this.rings.values()] : [this.rings.get(q.app) ?? []];
    const out: LoggedEvent[] = [];
    for (const ring of rings) {
      for (const e of ring.slice(-this.perApp)) {
        if (q.since !== undefined && e.time < q.since) continue;
        if (q.after !== undefined && e.seq <= q.after) continue;
        out.push(e);
      }
    }
    return rings.length > 1 ? out.sort((a, b) => a.seq - b.seq) : out;
  }

  /** The seq of the latest event (0 when none): a follower starts after it. */
  lastSeq(): number {
    return this.seq;
  }

  /** Told every event as it is recorded (the metrics' counters); returns the unsubscribe. */
  subscribe(listener: (e: LoggedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  forget(app: string): void {
    this.rings.delete(app);
    this.sink?.remove(app);
  }

  private push(event: OrchEvent): LoggedEvent {
    let ring = this.rings.get(event.app);
    if (ring === undefined) {
      ring = [];
      this.rings.set(event.app, ring);
    }
    const logged = { ...event, seq: ++this.seq } as LoggedEvent;
    ring.push(logged);
    // Amortised: trim in batches rather than shifting on every push past the bound.
    if (ring.length > this.perApp * 2) ring.splice(0, ring.length - this.perApp);
    return logged;
  }
}

const withoutSeq = (e: LoggedEvent): OrchEvent => {
  const { seq: _seq, ...rest } = e;
  return rest as OrchEvent;
};
