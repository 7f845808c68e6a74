import { appendFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EventLog, type LoggedEvent, type OrchEvent } from '../../../src/daemon/events.js';
import { EventStore } from '../../../src/daemon/event-store.js';

const started = (time: number, app: string, pid = time): OrchEvent => ({ time, app, instance: 0, type: 'started', pid });

describe('EventLog', () => {
  it('keeps the most recent events per app, oldest first, and forgets an app', () => {
    const log = new EventLog(3);
    for (let t = 1; t <= 10; t++) log.record(started(t, t % 2 === 0 ? 'a' : 'b'));
    expect(log.of('a').map((e) => e.time)).toEqual([6, 8, 10]);
    expect(log.of('b').map((e) => e.time)).toEqual([5, 7, 9]);
    log.forget('a');
    expect(log.of('a')).toEqual([]);
    expect(log.of('nope')).toEqual([]);
  });

  it('stays bounded under a flood: never more than twice the bound kept, the bound shown', () => {
    const log = new EventLog(50);
    for (let t = 1; t <= 10_000; t++) log.record(started(t, 'flood'));
    expect(log.of('flood')).toHaveLength(50);
    expect(log.query({ app: 'flood' })).toHaveLength(50);
    expect(log.of('flood')[0]?.time).toBe(9951);
    // Internals: the ring is trimmed in batches, never past 2 × the bound.
    expect((log as unknown as { rings: Map<string, unknown[]> }).rings.get('flood')!.length).toBeLessThanOrEqual(100);
  });

  it('query: every app in the order recorded, one app, since (inclusive) and after a seq', () => {
    const log = new EventLog(10);
    log.record(started(100, 'b'));
    log.record(started(50, 'a')); // recorded later, with an earlier clock: the order recorded wins
    log.record(started(200, 'a'));
    log.record({ time: 300, app: 'b', instance: null, type: 'reload-started' });
    const all = log.query();
    expect(all.map((e) => [e.app, e.time])).toEqual([
      ['b', 100],
      ['a', 50],
      ['a', 200],
      ['b', 300],
    ]);
    expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(log.query({ app: 'a' }).map((e) => e.time)).toEqual([50, 200]);
    expect(log.query({ since: 200 }).map((e) => e.time)).toEqual([200, 300]);
    expect(log.query({ since: 201 }).map((e) => e.time)).toEqual([300]);
    expect(log.query({ after: 2 }).map((e) => e.seq)).toEqual([3, 4]);
    expect(log.query({ app: 'b', after: 1 }).map((e) => e.seq)).toEqual([4]);
    expect(log.lastSeq()).toBe(4);
    // describe's view carries no seq.
    expect(log.of('a')[0]).toEqual(started(50, 'a'));
  });

  it('tells subscribers every event as it is recorded, until they unsubscribe', () => {
    const log = new EventLog(10);
    const heard: LoggedEvent[] = [];
    const stop = log.subscribe((e) => heard.push(e));
    log.record(started(1, 'a'));
    stop();
    log.record(started(2, 'a'));
    expect(heard.map((e) => [e.time, e.seq])).toEqual([[1, 1]]);
  });

  it('restore: events read back come first, bounded, and are not written again', () => {
    const appended: string[] = [];
    const log = new EventLog(2, { append: (app) => appended.push(app), remove: () => undefined });
    log.restore([started(1, 'a'), started(2, 'a'), started(3, 'a')]);
    log.record(started(4, 'a'));
    expect(log.of('a').map((e) => e.time)).toEqual([3, 4]);
    expect(appended).toEqual(['a']);
  });
});

describe('EventStore', () => {
  const dirs: string[] = [];
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'orch-events-'));
    dirs.push(dir);
    return join(dir, 'events');
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('persists each app as JSON lines (0600 in 0700) and a new daemon reads them back in order', async () => {
    const dir = tempDir();
    const store = new EventStore(dir, 5);
    const log = new EventLog(5, store);
    log.record(started(1, 'web'));
    log.record({ time: 2, app: 'web', instance: 0, type: 'exited', code: 1, signal: null, requested: false, cause: 'crash' });
    log.record(started(3, 'api'));
    await store.settled();
    expect(readdirSync(dir).sort()).toEqual(['api.jsonl', 'web.jsonl']);
    expect(statSync(join(dir, 'web.jsonl')).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readFileSync(join(dir, 'web.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);

    const again = new EventStore(dir, 5).load();
    const next = new EventLog(5);
    for (const events of again.values()) next.restore(events);
    expect(next.of('web')).toEqual([started(1, 'web'), { time: 2, app: 'web', instance: 0, type: 'exited', code: 1, signal: null, requested: false, cause: 'crash' }]);
    expect(next.of('api')).toEqual([started(3, 'api')]);
  });

  it('keeps a file bounded: past twice the bound it is rewritten to the ring', async () => {
    const dir = tempDir();
    const store = new EventStore(dir, 4);
    const log = new EventLog(4, store);
    for (let t = 1; t <= 50; t++) {
      log.record(started(t, 'web'));
      // Several batches, as events arrive over time.
      if (t % 3 === 0) await store.settled();
    }
    await store.settled();
    const lines = readFileSync(join(dir, 'web.jsonl'), 'utf8').trim().split('\n');
    expect(lines.length).toBeLessThanOrEqual(8);
    const loaded = new EventStore(dir, 4).load().get('web')!;
    expect(loaded.map((e) => e.time)).toEqual([47, 48, 49, 50]);
  });

  it('skips a line cut short by a crash, and forgetting an app removes its file', async () => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'web.jsonl'), `${JSON.stringify({ time: 1, instance: 0, type: 'started', pid: 9 })}\n`);
    appendFileSync(join(dir, 'web.jsonl'), '{"time":2,"inst');
    const store = new EventStore(dir, 10);
    const log = new EventLog(10, store);
    for (const events of store.load().values()) log.restore(events);
    expect(log.of('web')).toEqual([started(1, 'web', 9)]);
    log.forget('web');
    await store.settled();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('an app name never makes a path outside the directory', async () => {
    const dir = tempDir();
    const store = new EventStore(dir, 10);
    const log = new EventLog(10, store);
    log.record(started(1, '../escape'));
    await store.settled();
    expect(readdirSync(join(dir, '..'))).toEqual(['events']);
    expect(new EventStore(dir, 10).load().get('../escape')).toEqual([started(1, '../escape')]);
  });

  it('a write that fails drops its batch, counts it, and the next event tries again', async () => {
    const parent = tempDir();
    // A file where the directory should be: every write fails (as on a full disk).
    mkdirSync(join(parent, '..'), { recursive: true });
    writeFileSync(parent, 'not a directory');
    const store = new EventStore(join(parent, 'sub'), 10);
    const log = new EventLog(10, store);
    log.record(started(1, 'web'));
    await store.settled();
    expect(store.failedWrites).toBe(1);
    expect(log.of('web')).toHaveLength(1);
  });
});
