// The live feed runs a timer only while a page is connected, reads the status once per tick for
// every page, passes events on as they are recorded, and samples the charts every SAMPLE_EVERY_MS.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LiveFeed } from '../../../src/daemon/dashboard/live.js';
import type { StatusSnapshot } from '../../../src/daemon/dashboard/rows.js';
import { SAMPLE_EVERY_MS, SampleStore } from '../../../src/daemon/dashboard/samples.js';
import type { AppEvent, Tick } from '../../../src/daemon/dashboard/wire.js';
import { defaultApp } from '../../helpers/spec.js';

const snapshot = (): StatusSnapshot => ({
  apps: [
    {
      spec: defaultApp({ name: 'web', project: 'shop', run: ['node', 'app.js'], fileDir: '/srv' }),
      stopped: false,
      instances: [{ index: 0, state: 'online', pid: 42, startedAt: 1, restarts: 0, port: undefined, lastExit: undefined, reason: undefined }],
    },
  ],
  stats: { '42': { cpu: 5, memory: 1000 } },
  generations: { shop: 3 },
  warnings: [],
});

const setup = () => {
  let now = 1_000_000;
  const listeners = new Set<(e: AppEvent) => void>();
  const status = vi.fn(async () => snapshot());
  const samples = new SampleStore();
  const feed = new LiveFeed({
    status,
    samples,
    now: () => now,
    tickMs: 60_000,
    subscribeEvents: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  });
  return { feed, status, samples, listeners, advance: (ms: number) => (now += ms) };
};

const page = () => {
  const ticks: Tick[] = [];
  const events: AppEvent[] = [];
  return { ticks, events, subscriber: { tick: (t: Tick) => ticks.push(t), events: (e: readonly AppEvent[]) => events.push(...e) } };
};

afterEach(() => vi.useRealTimers());

describe('LiveFeed', () => {
  it('has no timer and no event listener until a page connects, and none after the last one leaves', async () => {
    const { feed, status, listeners } = setup();
    expect(feed.active).toBe(false);
    expect(listeners.size).toBe(0);
    const a = page();
    const b = page();
    const leaveA = feed.subscribe(a.subscriber);
    const leaveB = feed.subscribe(b.subscriber);
    expect(feed.active).toBe(true);
    expect(listeners.size).toBe(1);
    leaveA();
    expect(feed.active).toBe(true);
    leaveB();
    expect(feed.active).toBe(false);
    expect(listeners.size).toBe(0);
    await feed.tick();
    expect(status.mock.calls.length).toBeLessThanOrEqual(2);
  });

  it('reads the status once per tick for every page', async () => {
    const { feed, status } = setup();
    const pages = [page(), page(), page()];
    const leaves = pages.map((p) => feed.subscribe(p.subscriber));
    await vi.waitFor(() => expect(pages.every((p) => p.ticks.length >= 1)).toBe(true));
    const before = status.mock.calls.length;
    await feed.tick();
    expect(status.mock.calls.length).toBe(before + 1);
    expect(pages.map((p) => p.ticks.at(-1)!.state.apps[0]!.instances[0]!.pid)).toEqual([42, 42, 42]);
    for (const leave of leaves) leave();
  });

  it('passes events on as they are recorded', () => {
    const { feed, listeners } = setup();
    const p = page();
    const leave = feed.subscribe(p.subscriber);
    const crash: AppEvent = { time: 1, app: 'web', instance: 0, type: 'exited', signal: 'SIGKILL', code: null, pid: 42 };
    for (const l of listeners) l(crash);
    expect(p.events).toEqual([crash]);
    leave();
  });

  it('samples each instance every SAMPLE_EVERY_MS, into the ring and the tick', async () => {
    const { feed, samples, advance } = setup();
    const p = page();
    const leave = feed.subscribe(p.subscriber);
    await vi.waitFor(() => expect(p.ticks.length).toBe(1));
    expect(p.ticks[0]!.samples).toEqual({ 'web#0': { time: 1_000_000, cpu: 5, memory: 1000 } });
    advance(SAMPLE_EVERY_MS - 1);
    await feed.tick();
    expect(p.ticks[1]!.samples).toBeUndefined();
    advance(1);
    await feed.tick();
    expect(p.ticks[2]!.samples).toBeDefined();
    expect(samples.series(['web#0'])['web#0']).toHaveLength(2);
    leave();
  });
});
