// The one module of units: exact (the file's own words) and approximate (status at a glance).
import { describe, expect, it } from 'vitest';
import { formatApproxBytes, formatApproxDuration, formatBytes, formatDuration } from '../../src/units.js';

describe('units', () => {
  it.each([
    [1500, 'h', '1500ms'],
    [30_000, 'h', '30s'],
    [120_000, 'h', '2m'],
    [7_200_000, 'h', '2h'],
    [60_000, 's', '60s'],
    [0, 'h', '0ms'],
  ] as const)('formatDuration(%d, %s) = %s', (ms, largest, text) => {
    expect(formatDuration(ms, largest)).toBe(text);
  });

  it.each([
    [536_870_912, '512M'],
    [1024, '1K'],
    [1000, '1000'],
  ])('formatBytes(%d) = %s', (n, text) => {
    expect(formatBytes(n)).toBe(text);
  });

  it.each([
    [undefined, '-'],
    [812, '812B'],
    [1.5 * 1024 ** 2, '1.5M'],
    [12.3 * 1024 ** 2, '12M'],
    [700 * 1024 ** 2, '700M'],
  ])('formatApproxBytes(%s) = %s', (n, text) => {
    expect(formatApproxBytes(n)).toBe(text);
  });

  it.each([
    [undefined, '-'],
    [-5, '0ms'],
    [45_000, '45s'],
    [3 * 3_600_000, '3h'],
  ])('formatApproxDuration(%s) = %s', (ms, text) => {
    expect(formatApproxDuration(ms)).toBe(text);
  });
});
