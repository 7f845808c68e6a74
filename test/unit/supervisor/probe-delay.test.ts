import { describe, expect, it } from 'vitest';
import { probeDelay } from '../../../src/supervisor/readiness.js';

describe('probeDelay', () => {
  // 10 ms first, doubling to a 100 ms cap: a start that listens after 30 ms is seen by ~40 ms, not 100.
  it.each([
    [0, 10],
    [1, 20],
    [2, 40],
    [3, 80],
    [4, 100],
    [50, 100],
  ])('attempt %i waits %i ms', (n, ms) => {
    expect(probeDelay(n)).toBe(ms);
  });
});
