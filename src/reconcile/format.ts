// How field values read in a rendered plan: the file's units, not the spec's ms and bytes.
import { fieldKind } from './fields.js';

const UNITS: readonly (readonly [string, number])[] = [
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
];

/** 1500 → `1500ms`, 30000 → `30s`, 120000 → `2m`: the largest unit that divides it exactly. */
export const formatDuration = (ms: number): string => {
  const unit = UNITS.find(([, size]) => ms !== 0 && ms % size === 0);
  return unit === undefined ? `${ms}ms` : `${ms / unit[1]}${unit[0]}`;
};

const SIZES: readonly (readonly [string, number])[] = [
  ['G', 1024 ** 3],
  ['M', 1024 ** 2],
  ['K', 1024],
];

/** 536870912 → `512M`; a size no unit divides stays in bytes. */
export const formatBytes = (bytes: number): string => {
  const unit = SIZES.find(([, size]) => bytes !== 0 && bytes % size === 0);
  return unit === undefined ? `${bytes}` : `${bytes / unit[1]}${unit[0]}`;
};

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** argv as a shell would read it back: words with spaces or quotes are single-quoted. */
export const formatArgv = (argv: readonly string[]): string =>
  argv.map((w) => (SAFE_WORD.test(w) ? w : `'${w.replaceAll("'", `'\\''`)}'`)).join(' ');

/** One non-secret value of `field`, for a human. */
export const formatValue = (field: string, value: unknown): string => {
  if (value === undefined || value === null) return 'none';
  switch (fieldKind(field)) {
    case 'duration':
      return typeof value === 'number' ? formatDuration(value) : String(value);
    case 'bytes':
      return typeof value === 'number' ? formatBytes(value) : String(value);
    case 'argv':
      return Array.isArray(value) ? formatArgv(value as string[]) : String(value);
    case 'list':
      return Array.isArray(value) ? `[${value.join(', ')}]` : String(value);
    case 'secret':
      return '(hidden)';
    case 'plain':
      return String(value);
  }
};
