// Durations and sizes for people, in one place. Two registers: exact, in the file's own units
// (a plan's `30s`, `512M`: what you would write back), and approximate (status's uptime `3h`,
// memory `1.5M`: how much, at a glance).
import ms from 'ms';

/**
 * A duration typed on the command line with its unit (`500ms`, `30s`, `10m`, `2h`, `1d`, `1w`), in
 * ms; undefined for anything else (a bare number, `1.5s`, `10 min`): `--since`, `--interval`.
 */
export const durationWithUnit = (text: string): number | undefined => {
  if (!/^\d+(ms|s|m|h|d|w)$/.test(text)) return undefined;
  const n = ms(text as ms.StringValue);
  return typeof n === 'number' ? n : undefined;
};

const TIME_UNITS: readonly (readonly ['h' | 'm' | 's', number])[] = [
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
];

/**
 * Exact: 1500 → `1500ms`, 30000 → `30s`, 120000 → `2m` — the largest unit (up to `largest`)
 * that divides it; `largest: 's'` keeps `60s` as it is.
 */
export const formatDuration = (msValue: number, largest: 'h' | 'm' | 's' = 'h'): string => {
  const units = TIME_UNITS.slice(TIME_UNITS.findIndex(([u]) => u === largest));
  const unit = units.find(([, size]) => msValue !== 0 && msValue % size === 0);
  return unit === undefined ? `${msValue}ms` : `${msValue / unit[1]}${unit[0]}`;
};

const SIZE_UNITS: readonly (readonly [string, number])[] = [
  ['G', 1024 ** 3],
  ['M', 1024 ** 2],
  ['K', 1024],
];

/** Exact: 536870912 → `512M`; a size no unit divides stays in bytes. */
export const formatBytes = (bytes: number): string => {
  const unit = SIZE_UNITS.find(([, size]) => bytes !== 0 && bytes % size === 0);
  return unit === undefined ? `${bytes}` : `${bytes / unit[1]}${unit[0]}`;
};

/** Approximate: `3h`, `45s`; `-` when unknown. */
export const formatApproxDuration = (msValue: number | undefined): string => (msValue === undefined ? '-' : ms(Math.max(0, msValue)));

/** Approximate: `812B`, `1.5M`, `640M`; `-` when unknown. */
export const formatApproxBytes = (n: number | undefined): string => {
  if (n === undefined) return '-';
  const units = ['B', 'K', 'M', 'G'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v >= 10 || u === 0 ? Math.round(v) : v.toFixed(1)}${units[u]}`;
};
