// Which AppSpec fields the plan compares, under which name (the file's dotted terms), and what a
// change to each one needs: new processes, a scale, or an in-place update. One table, so the
// diff, the rules and the rendering cannot disagree about a field.
import type { AppSpec } from '../config/desired.js';
import { protocolOf } from '../config/modes.js';
import type { FieldChange } from './types.js';

/** What a change to the field needs from apply. */
export type FieldEffect = 'replace' | 'scale' | 'update';
/** How a value of the field is shown: durations are ms, sizes bytes, secrets never shown. */
export type FieldKind = 'plain' | 'argv' | 'duration' | 'bytes' | 'list' | 'secret';

interface FieldDef {
  readonly field: string;
  readonly effect: FieldEffect;
  readonly kind: FieldKind;
  readonly get: (spec: AppSpec) => unknown;
}

const sorted = (xs: readonly string[]): string[] => [...xs].sort(compareNames);

// `name` and `project` are equal by construction; `baseEnv` is never compared (SPEC §3: only the
// file can make a diff); `env` is compared key by key below.
const FIELDS: readonly FieldDef[] = [
  { field: 'run', effect: 'replace', kind: 'argv', get: (s) => s.command },
  { field: 'shell', effect: 'replace', kind: 'plain', get: (s) => s.shell },
  { field: 'cwd', effect: 'replace', kind: 'plain', get: (s) => s.cwd },
  { field: 'mode', effect: 'replace', kind: 'plain', get: (s) => s.mode },
  { field: 'port', effect: 'replace', kind: 'plain', get: (s) => s.port },
  // A spec persisted before `protocol` existed is tcp: no change.
  { field: 'protocol', effect: 'replace', kind: 'plain', get: (s) => protocolOf(s) },
  { field: 'instances', effect: 'scale', kind: 'plain', get: (s) => s.instances },
  { field: 'env_file', effect: 'update', kind: 'plain', get: (s) => s.envFile },
  { field: 'restart.policy', effect: 'update', kind: 'plain', get: (s) => s.restart.policy },
  { field: 'restart.backoff.initial', effect: 'update', kind: 'duration', get: (s) => s.restart.backoff.initialMs },
  { field: 'restart.backoff.max', effect: 'update', kind: 'duration', get: (s) => s.restart.backoff.maxMs },
  { field: 'restart.backoff.factor', effect: 'update', kind: 'plain', get: (s) => s.restart.backoff.factor },
  { field: 'restart.max_restarts', effect: 'update', kind: 'plain', get: (s) => s.restart.maxRestarts },
  { field: 'restart.window', effect: 'update', kind: 'duration', get: (s) => s.restart.windowMs },
  { field: 'restart.min_uptime', effect: 'update', kind: 'duration', get: (s) => s.restart.minUptimeMs },
  { field: 'shutdown.signal', effect: 'update', kind: 'plain', get: (s) => s.shutdown.signal },
  { field: 'shutdown.timeout', effect: 'update', kind: 'duration', get: (s) => s.shutdown.timeoutMs },
  { field: 'ready.type', effect: 'update', kind: 'plain', get: (s) => s.ready.type },
  { field: 'ready.path', effect: 'update', kind: 'plain', get: (s) => s.ready.path },
  { field: 'ready.timeout', effect: 'update', kind: 'duration', get: (s) => s.ready.timeoutMs },
  { field: 'ready.delay', effect: 'update', kind: 'duration', get: (s) => s.ready.delayMs },
  { field: 'reload.max_surge', effect: 'update', kind: 'plain', get: (s) => s.reload.maxSurge },
  { field: 'reload.max_unavailable', effect: 'update', kind: 'plain', get: (s) => s.reload.maxUnavailable },
  { field: 'watch', effect: 'update', kind: 'plain', get: (s) => s.watch !== undefined },
  { field: 'watch.paths', effect: 'update', kind: 'list', get: (s) => s.watch?.paths },
  { field: 'watch.ignore', effect: 'update', kind: 'list', get: (s) => s.watch?.ignore },
  { field: 'watch.debounce', effect: 'update', kind: 'duration', get: (s) => s.watch?.debounceMs },
  // Order in the file carries no meaning: compare as sets.
  { field: 'depends_on', effect: 'update', kind: 'list', get: (s) => sorted(s.dependsOn) },
  // Who gets the messages sent to `agent` (SPEC §14): the bus reads it from the running spec.
  { field: 'role', effect: 'update', kind: 'plain', get: (s) => s.role },
  { field: 'max_memory', effect: 'update', kind: 'bytes', get: (s) => s.maxMemoryBytes },
];

const BY_FIELD = new Map(FIELDS.map((f) => [f.field, f]));
const ENV_PREFIX = 'env.';

/** Code-point order: the same everywhere, unlike localeCompare. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export const fieldEffect = (field: string): FieldEffect =>
  field.startsWith(ENV_PREFIX) ? 'replace' : (BY_FIELD.get(field)?.effect ?? 'update');

export const fieldKind = (field: string): FieldKind =>
  field.startsWith(ENV_PREFIX) ? 'secret' : (BY_FIELD.get(field)?.kind ?? 'plain');

const sameValue = (a: unknown, b: unknown): boolean =>
  Array.isArray(a) && Array.isArray(b)
    ? a.length === b.length && a.every((x, i) => Object.is(x, b[i]))
    : Object.is(a, b);

// WARNING: own keys only — an env named `constructor` must not read Object.prototype.
const envValue = (env: AppSpec['env'], key: string): string | undefined => (Object.hasOwn(env, key) ? env[key] : undefined);

const envChanges = (before: AppSpec['env'], after: AppSpec['env']): FieldChange[] => {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys]
    .filter((k) => envValue(before, k) !== envValue(after, k))
    .map((k) => ({ field: `${ENV_PREFIX}${k}`, before: envValue(before, k), after: envValue(after, k), secret: true }));
};

/** Every compared field that differs between two specs of one app, sorted by field name. */
export const diffSpecs = (before: AppSpec, after: AppSpec): FieldChange[] => {
  const changes: FieldChange[] = [];
  for (const f of FIELDS) {
    const [b, a] = [f.get(before), f.get(after)];
    if (!sameValue(b, a)) changes.push({ field: f.field, before: b, after: a });
  }
  changes.push(...envChanges(before.env, after.env));
  return changes.sort((x, y) => compareNames(x.field, y.field));
};
