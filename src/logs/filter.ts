// Which captured lines `orch logs` prints: by stream (--err/--out), instance (app#N) and time
// (--since). Pure. Records of one file are in time order, so a line older than --since means
// every line before it is older too: reading backwards can stop there.
import { durationWithUnit } from '../units.js';
import { parseRecord, type StreamName } from './record.js';

export interface LogFilter {
  /** Only these streams; undefined: both. */
  readonly streams?: readonly StreamName[];
  readonly instance?: number;
  /** ISO-8601 UTC (as records are written): lines at or after it. */
  readonly since?: string;
}

/** keep it, skip it, or stop: it and everything before it is older than `since`. */
export type Verdict = 'keep' | 'skip' | 'stop';

export const isEmptyFilter = (f: LogFilter): boolean => f.streams === undefined && f.instance === undefined && f.since === undefined;

export const verdictOf =
  (f: LogFilter) =>
  (line: string): Verdict => {
    const r = parseRecord(line);
    // Not a record orch wrote (a line cut by a full disk): it has no stream, instance or time.
    if (r === undefined) return 'skip';
    if (f.since !== undefined && r.time < f.since) return 'stop';
    if (f.streams !== undefined && !f.streams.includes(r.stream)) return 'skip';
    if (f.instance !== undefined && r.instance !== f.instance) return 'skip';
    return 'keep';
  };

/** `api` or `api#2`; undefined for a malformed `#` part. */
export const parseLogTarget = (target: string): { app: string; instance?: number } | undefined => {
  const hash = target.lastIndexOf('#');
  if (hash === -1) return { app: target };
  const n = target.slice(hash + 1);
  if (hash === 0 || !/^\d+$/.test(n)) return undefined;
  return { app: target.slice(0, hash), instance: Number(n) };
};

/** `--since`: a duration ago (`10m`, `2h`, `1d`, `30s`) or an ISO-8601 time, as an ISO UTC string; undefined when it is neither. */
export const parseSince = (value: string, now: number): string | undefined => {
  const ago = durationWithUnit(value);
  if (ago !== undefined) return new Date(now - ago).toISOString();
  // A date or a date-time; Date.parse alone would also take "1" or "May 5".
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
};
