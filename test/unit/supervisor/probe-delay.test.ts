import { describe, expect, it } from 'vitest';
import { probeDelay } from '../../../src/supervisor/readiness.js';

describe('probeDelay', () => {
  // 10 ms first, a quarter more each time, capped at 100 ms: around 100 ms after spawn (when a
  // Node app typically listens) the gap between attempts is ~25 ms, not 100.
  it.each([
    [0, 10],
    [1, 13],
    [2, 16],
    [5, 31],
    [8, 60],
    [10, 93],
    [11, 100],
    [50, 100],
  ])('attempt %i waits %i ms', (n, ms) => {
    expect(probeDelay(n)).toBe(ms);
  });
});
