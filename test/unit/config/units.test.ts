import { describe, expect, it } from 'vitest';
import { durationMs } from '../../../src/config/duration.js';
import { sizeBytes } from '../../../src/config/size.js';

describe('durationMs', () => {
  it.each([
    ['100ms', 100],
    ['5s', 5_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['0s', 0],
    [250, 250],
  ] as const)('%s', (value, expected) => {
    expect(durationMs(value)).toBe(expected);
  });
});

describe('sizeBytes', () => {
  it.each([
    ['512', 512],
    ['1K', 1024],
    ['512M', 512 * 1024 ** 2],
    ['2G', 2 * 1024 ** 3],
    [4096, 4096],
  ] as const)('%s', (value, expected) => {
    expect(sizeBytes(value)).toBe(expected);
  });
});
