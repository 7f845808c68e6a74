// `--since` for `orch logs` and `orch events`: one parse, one message.
import { OrchError } from '../errors.js';
import { parseSince } from '../logs/filter.js';

/** `--since` as an ISO time, undefined when not given; ORCH_USAGE when malformed (logs and events). */
export const sinceOrFail = (since: string | undefined, now: number): string | undefined => {
  if (since === undefined) return undefined;
  const iso = parseSince(since, now);
  if (iso === undefined) throw new OrchError('ORCH_USAGE', `--since takes a duration ago (30s, 10m, 2h, 1d) or an ISO time (2025-01-31T12:00:00Z), got '${since}'`);
  return iso;
};
