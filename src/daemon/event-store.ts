// The event log on disk: one JSON-lines file per app under ORCH_HOME/events/ (0600 in a 0700
// directory), so `orch events` survives a daemon restart. Appends are batched and written after
// the current turn of the event loop (off the hot path); a file past twice the bound is rewritten
// to the app's ring (atomically, by rename). A write that fails (a full disk) drops its batch and
// is counted, never retried in a loop: the next event tries again.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { appendFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import writeFileAtomic from 'write-file-atomic';
import type { EventSink, OrchEvent } from './events.js';

const SUFFIX = '.jsonl';
// WARNING: an app name comes over the socket; it must never make a path outside the directory.
const fileName = (app: string): string => `${encodeURIComponent(app)}${SUFFIX}`;

interface AppFile {
  /** Lines in the file (as far as we know): past 2 × perApp, it is compacted. */
  lines: number;
  pending: string[];
  /** Every write of the file runs after the previous one. */
  chain: Promise<void>;
  ring: () => readonly OrchEvent[];
}


export class EventStore implements EventSink {
  private readonly files = new Map<string, AppFile>();
  private scheduled = false;
  private failing = false;
  /** Batches not written (the disk refused them). */
  failedWrites = 0;

  constructor(
    readonly dir: string,
    private readonly perApp: number,
    private readonly logger?: Logger,
  ) {}

  /** Every app's persisted events, oldest first, at most perApp each. Synchronous: start-up only. */
  load(): Map<string, OrchEvent[]> {
    const out = new Map<string, OrchEvent[]>();
    let names: string[];
    try {
      names = readdirSync(this.dir).filter((n) => n.endsWith(SUFFIX));
    } catch {
      return out;
    }
    for (const name of names) {
      let app: string;
      let text: string;
      try {
        app = decodeURIComponent(name.slice(0, -SUFFIX.length));
        text = readFileSync(join(this.dir, name), 'utf8');
      } catch {
        continue;
      }
      const lines = text.split('\n').filter((l) => l !== '');
      const events: OrchEvent[] = [];
      // A line cut short by a crash mid-write is skipped, not fatal.
      for (const line of lines.slice(-this.perApp)) {
        try {
          const e = JSON.parse(line) as OrchEvent;
          if (typeof e === 'object' && e !== null && typeof e.time === 'number' && typeof e.type === 'string') events.push({ ...withoutApp(e), app });
        } catch {
          // skipped
        }
      }
      out.set(app, events);
      this.files.set(app, { lines: lines.length, pending: [], chain: Promise.resolve(), ring: () => [] });
    }
    return out;
  }

  append(app: string, event: OrchEvent, ring: () => readonly OrchEvent[]): void {
    let file = this.files.get(app);
    if (file === undefined) {
      // After a delete of the same name, its unlink goes first.
      file = { lines: 0, pending: [], chain: this.removals.get(app) ?? Promise.resolve(), ring };
      this.files.set(app, file);
    }
    file.ring = ring;
    const { app: _app, ...stored } = event;
    file.pending.push(JSON.stringify(stored));
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  remove(app: string): void {
    const file = this.files.get(app);
    this.files.delete(app);
    const removed = (file?.chain ?? this.removals.get(app) ?? Promise.resolve()).then(() => unlink(join(this.dir, fileName(app))).catch(() => undefined));
    this.removals.set(app, removed);
    void removed.then(() => {
      if (this.removals.get(app) === removed) this.removals.delete(app);
    });
  }

  /** Resolves once every batch handed over so far is written (or dropped). */
  async settled(): Promise<void> {
    if (this.scheduled) await new Promise((r) => setImmediate(r));
    await Promise.all([...this.files.values()].map((f) => f.chain));
    await Promise.all(this.removals.values());
  }

  private flush(): void {
    this.scheduled = false;
    for (const [app, file] of this.files) {
      if (file.pending.length === 0) continue;
      const batch = file.pending;
      file.pending = [];
      const path = join(this.dir, fileName(app));
      // Decided now, with the ring as it is now (it holds this batch and nothing after it).
      if (file.lines + batch.length > this.perApp * 2) {
        const kept = file.ring().map(({ app: _app, ...e }) => JSON.stringify(e));
        file.lines = kept.length;
        file.chain = file.chain.then(() => this.write(app, () => replaceFile(path, kept)));
      } else {
        file.lines += batch.length;
        file.chain = file.chain.then(() => this.write(app, () => appendFile(path, joinLines(batch), { mode: 0o600 })));
      }
    }
  }

  private async write(app: string, io: () => Promise<void>): Promise<void> {
    try {
      if (!this.dirMade) {
        mkdirSync(this.dir, { recursive: true, mode: 0o700 });
        this.dirMade = true;
      }
      await io();
      if (this.failing) this.logger?.warn({ dir: this.dir }, 'event log writable again');
      this.failing = false;
    } catch (err) {
      this.failedWrites++;
      // Once per outage: the daemon log may sit on the same full disk.
      if (!this.failing) this.logger?.warn({ err, app }, 'event log not written; events are kept in memory only until it can be');
      this.failing = true;
    }
  }

  private readonly removals = new Map<string, Promise<void>>();
  private dirMade = false;
}

const withoutApp = (e: OrchEvent): Omit<OrchEvent, 'app'> => {
  const { app: _app, ...rest } = e;
  return rest;
};

const joinLines = (lines: readonly string[]): string => lines.map((l) => `${l}\n`).join('');

const replaceFile = (path: string, lines: readonly string[]): Promise<void> => writeFileAtomic(path, joinLines(lines), { mode: 0o600 });
