// `defaults` merged under each app (SPEC §3): maps merge key by key, recursively; anything else
// the app sets (a scalar, a list, `watch: true`) replaces the default. Every merged value keeps
// where it was written, so an error about it points at that line.
import type { Segment } from './diagnostics.js';

type Json = Readonly<Record<string, unknown>>;

export interface MergedApp {
  readonly name: string;
  readonly value: Json;
  /** Document path of the value at `rel` in the merged app: in the app, else in `defaults`. */
  readonly origin: (...rel: Segment[]) => readonly Segment[];
}

export const isMap = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

export const deepMerge = (base: unknown, over: unknown): unknown => {
  if (over === undefined) return base;
  if (!isMap(base) || !isMap(over)) return over;
  // fromEntries defines own properties, so a key named `__proto__` stays a plain key.
  const keys = [...new Set([...Object.keys(base), ...Object.keys(over)])];
  return Object.fromEntries(keys.map((k) => [k, deepMerge(own(base, k), own(over, k))]));
};

const own = (m: Json, key: string): unknown => (Object.hasOwn(m, key) ? m[key] : undefined);

const has = (value: unknown, rel: readonly Segment[]): boolean => {
  let v = value;
  for (const seg of rel) {
    if (!isMap(v) && !Array.isArray(v)) return false;
    if (!Object.hasOwn(v, seg)) return false;
    v = (v as Record<string, unknown>)[String(seg)];
  }
  return v !== undefined;
};

export const mergeApp = (name: string, app: Json, defaults: Json | undefined): MergedApp => {
  const value = deepMerge(defaults ?? {}, app) as Json;
  const origin = (...rel: Segment[]): readonly Segment[] => {
    if (has(app, rel)) return ['apps', name, ...rel];
    if (defaults !== undefined && has(defaults, rel)) return ['defaults', ...rel];
    return ['apps', name];
  };
  return { name, value, origin };
};
