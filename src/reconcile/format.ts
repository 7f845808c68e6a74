// How field values read in a rendered plan: the file's units, not the spec's ms and bytes.
import { formatBytes, formatDuration } from '../units.js';
import { fieldKind } from './fields.js';

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
