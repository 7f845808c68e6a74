import { describe, expect, it } from 'vitest';
import { planRollingBatches, runRolling } from '../../../src/supervisor/rolling.js';

const shape = (batches: ReturnType<typeof planRollingBatches>): string[] =>
  batches.map((b) => b.map((s) => `${s.index}${s.surge ? '+' : '-'}`).join(' '));

describe('planRollingBatches', () => {
  it.each<[string, number, number, boolean, string[]]>([
    ['one surge: new before old, one at a time', 1, 0, true, ['0+', '1+', '2+']],
    ['two surges: two at a time', 2, 0, true, ['0+ 1+', '2+']],
    ['surge and unavailable mix', 1, 1, true, ['0+ 1-', '2+']],
    ['both zero: one surge anyway', 0, 0, true, ['0+', '1+', '2+']],
    ['no overlap (fork with a port): stop then start', 1, 0, false, ['0-', '1-', '2-']],
    ['no overlap honours max_unavailable', 0, 2, false, ['0- 1-', '2-']],
  ])('%s', (_name, maxSurge, maxUnavailable, canOverlap, expected) => {
    expect(shape(planRollingBatches([0, 1, 2], { maxSurge, maxUnavailable, canOverlap }))).toEqual(expected);
  });
});

describe('runRolling', () => {
  it('stops after the batch that failed and reports what was replaced', async () => {
    const seen: number[] = [];
    const outcome = await runRolling(planRollingBatches([0, 1, 2, 3], { maxSurge: 2, maxUnavailable: 0, canOverlap: true }), async (step) => {
      seen.push(step.index);
      return step.index === 3 ? { ok: false, reason: 'boom' } : { ok: true };
    });
    expect(outcome).toEqual({ replaced: [0, 1, 2], failed: { index: 3, reason: 'boom' } });
    expect(seen.sort()).toEqual([0, 1, 2, 3]);
  });
});
