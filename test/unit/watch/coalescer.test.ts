// The coalescer on a fake clock: each case is a script of triggers at given times, each run
// takes `runMs`, and the expectation is the exact list of requests (when they started, with what).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Coalescer } from '../../../src/watch/coalescer.js';

interface Step {
  readonly at: number;
  readonly key: string;
  readonly reason: string;
  readonly debounceMs?: number;
}
interface Case {
  readonly name: string;
  readonly runMs: number;
  readonly steps: readonly Step[];
  readonly until: number;
  readonly runs: readonly { readonly at: number; readonly key: string; readonly reasons: readonly string[] }[];
}

const burst = (key: string, from: number, count: number, perMs: number): Step[] =>
  Array.from({ length: count }, (_, i) => ({ at: from + Math.floor(i / perMs), key, reason: `f${i % 5}` }));

const cases: Case[] = [
  { name: 'one trigger is one run, debounce later', runMs: 10, steps: [{ at: 0, key: 'a', reason: 'x' }], until: 1000, runs: [{ at: 200, key: 'a', reasons: ['x'] }] },
  {
    name: '200 triggers within 100 ms are one run, timed from the last trigger',
    runMs: 10,
    steps: burst('a', 0, 200, 2),
    until: 2000,
    runs: [{ at: 299, key: 'a', reasons: ['f0', 'f1', 'f2', 'f3', 'f4'] }],
  },
  {
    name: 'triggers further apart than the debounce are separate runs',
    runMs: 10,
    steps: [
      { at: 0, key: 'a', reason: 'x' },
      { at: 500, key: 'a', reason: 'y' },
    ],
    until: 2000,
    runs: [
      { at: 200, key: 'a', reasons: ['x'] },
      { at: 700, key: 'a', reasons: ['y'] },
    ],
  },
  {
    name: 'triggers during a run are queued once and run after it, debounced again',
    runMs: 1000,
    steps: [{ at: 0, key: 'a', reason: 'x' }, ...burst('a', 300, 50, 0.1)],
    until: 5000,
    runs: [
      { at: 200, key: 'a', reasons: ['x'] },
      { at: 1400, key: 'a', reasons: ['f0', 'f1', 'f2', 'f3', 'f4'] },
    ],
  },
  {
    name: 'nothing during a run: nothing queued',
    runMs: 1000,
    steps: [{ at: 0, key: 'a', reason: 'x' }],
    until: 5000,
    runs: [{ at: 200, key: 'a', reasons: ['x'] }],
  },
  {
    name: 'keys are independent',
    runMs: 1000,
    steps: [
      { at: 0, key: 'reload:web', reason: 'a.js' },
      { at: 50, key: 'reload:api', reason: 'b.js' },
      { at: 300, key: 'reload:web', reason: 'c.js' },
    ],
    until: 5000,
    runs: [
      { at: 200, key: 'reload:web', reasons: ['a.js'] },
      { at: 250, key: 'reload:api', reasons: ['b.js'] },
      { at: 1400, key: 'reload:web', reasons: ['c.js'] },
    ],
  },
  {
    name: "each key's own debounce applies (the latest trigger's)",
    runMs: 10,
    steps: [
      { at: 0, key: 'apply', reason: 'eco', debounceMs: 100 },
      { at: 0, key: 'reload:web', reason: 'a.js', debounceMs: 1000 },
    ],
    until: 3000,
    runs: [
      { at: 100, key: 'apply', reasons: ['eco'] },
      { at: 1000, key: 'reload:web', reasons: ['a.js'] },
    ],
  },
  {
    name: 'a debounce of 0 runs on the next tick',
    runMs: 10,
    steps: [{ at: 0, key: 'apply', reason: 'start', debounceMs: 0 }],
    until: 100,
    runs: [{ at: 0, key: 'apply', reasons: ['start'] }],
  },
];

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

const play = async (c: Pick<Case, 'runMs' | 'steps' | 'until'>, fail = false) => {
  const runs: { at: number; key: string; reasons: readonly string[] }[] = [];
  const errors: string[] = [];
  let running = 0;
  let maxConcurrentPerKey = 0;
  const coalescer = new Coalescer({
    run: async (key, reasons) => {
      runs.push({ at: Date.now(), key, reasons });
      running++;
      maxConcurrentPerKey = Math.max(maxConcurrentPerKey, runs.filter((r) => r.key === key).length - finished.filter((k) => k === key).length);
      await new Promise((r) => setTimeout(r, c.runMs));
      running--;
      finished.push(key);
      if (fail) throw new Error(`boom ${key}`);
    },
    onError: (key, e) => errors.push(`${key}: ${(e as Error).message}`),
  });
  const finished: string[] = [];
  const steps = [...c.steps].sort((a, b) => a.at - b.at);
  for (const s of steps) {
    await vi.advanceTimersByTimeAsync(s.at - Date.now());
    coalescer.trigger(s.key, s.reason, s.debounceMs ?? 200);
  }
  await vi.advanceTimersByTimeAsync(c.until - Date.now());
  return { runs, errors, running, maxConcurrentPerKey, coalescer };
};

describe('Coalescer', () => {
  it.each(cases)('$name', async (c) => {
    const { runs, running, maxConcurrentPerKey } = await play(c);
    expect(runs).toEqual(c.runs);
    expect(running).toBe(0);
    expect(maxConcurrentPerKey).toBeLessThanOrEqual(1);
  });

  it('a failed run is reported and the key goes on (the queued request still runs)', async () => {
    const { runs, errors } = await play(
      {
        runMs: 100,
        steps: [
          { at: 0, key: 'a', reason: 'x' },
          { at: 250, key: 'a', reason: 'y' },
        ],
        until: 2000,
      },
      true,
    );
    expect(runs.map((r) => [r.at, r.reasons])).toEqual([
      [200, ['x']],
      [500, ['y']],
    ]);
    expect(errors).toEqual(['a: boom a', 'a: boom a']);
  });

  it('close drops pending requests, waits for running ones, and ignores later triggers', async () => {
    const runs: string[] = [];
    let finished = false;
    const coalescer = new Coalescer({
      run: async (key) => {
        runs.push(key);
        await new Promise((r) => setTimeout(r, 500));
        finished = true;
      },
    });
    coalescer.trigger('a', 'x', 100);
    coalescer.trigger('b', 'x', 1000);
    await vi.advanceTimersByTimeAsync(150);
    expect(coalescer.busy()).toEqual(new Map([['a', 'running'], ['b', 'debouncing']]));
    coalescer.trigger('a', 'queued', 100);
    const closed = coalescer.close();
    coalescer.trigger('c', 'x', 0);
    await vi.advanceTimersByTimeAsync(5000);
    await closed;
    expect(finished).toBe(true);
    expect(runs).toEqual(['a']);
    expect(coalescer.busy().size).toBe(0);
  });

  it('keeps at most 50 distinct reasons per request', async () => {
    const { runs } = await play({ runMs: 1, steps: burst('a', 0, 1, 1).concat(Array.from({ length: 80 }, (_, i) => ({ at: i, key: 'a', reason: `r${i}` }))), until: 1000 });
    expect(runs).toHaveLength(1);
    expect(runs[0]!.reasons).toHaveLength(50);
  });
});
