// The restarts of one instance by reason: whatever the order of events and views, the counts add
// up to the instance's RESTARTS as last seen.
import { describe, expect, it } from 'vitest';
import { announceMemoryRestart, countCrashRestart, emptyTally, type RestartTally, settleRestarts } from '../../../src/daemon/restart-tally.js';

type Step = { readonly view: number } | { readonly restarting: number } | 'memory-restart';

const run = (steps: readonly Step[]): RestartTally =>
  steps.reduce<RestartTally>((t, s) => (s === 'memory-restart' ? announceMemoryRestart(t) : 'view' in s ? settleRestarts(t, s.view) : countCrashRestart(t, s.restarting)), emptyTally);

describe('restart tally', () => {
  it.each<[string, Step[], { crash: number; memory: number; restart: number }, number]>([
    ['nothing happened', [{ view: 0 }], { crash: 0, memory: 0, restart: 0 }, 0],
    ['an orch restart, seen at a scrape', [{ view: 1 }], { crash: 0, memory: 0, restart: 1 }, 1],
    ['two crash restarts', [{ restarting: 1 }, { restarting: 2 }, { view: 2 }], { crash: 2, memory: 0, restart: 0 }, 2],
    ['a restart nobody scraped, then a crash', [{ restarting: 2 }], { crash: 1, memory: 0, restart: 1 }, 2],
    ['a memory restart, its start seen at a scrape', ['memory-restart', { view: 1 }], { crash: 0, memory: 1, restart: 0 }, 1],
    ['a memory restart announced, not started yet', ['memory-restart', { view: 0 }], { crash: 0, memory: 0, restart: 0 }, 0],
    ['a memory restart whose start failed into a crash restart', ['memory-restart', { restarting: 2 }], { crash: 1, memory: 1, restart: 0 }, 2],
    ['memory, restart, memory between two scrapes', ['memory-restart', 'memory-restart', { view: 3 }], { crash: 0, memory: 2, restart: 1 }, 3],
    ['a new instance on the index (scaled down, then up) starts over', [{ restarting: 1 }, { view: 3 }, { view: 0 }], { crash: 0, memory: 0, restart: 0 }, 0],
    ['a new instance on the index, seen at its first crash', [{ view: 3 }, { restarting: 1 }], { crash: 1, memory: 0, restart: 0 }, 1],
  ])('%s', (_, steps, counts, seen) => {
    const t = run(steps);
    expect(t.counts).toEqual(counts);
    expect(t.seen).toBe(seen);
    expect(t.counts.crash + t.counts.memory + t.counts.restart).toBe(t.seen);
  });

  it('a view with nothing new changes nothing (the same tally back)', () => {
    const t = run([{ view: 2 }]);
    expect(settleRestarts(t, 2)).toBe(t);
  });
});
