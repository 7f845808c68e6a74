// What the schema accepted (SPEC §9, "validation reports everything at once"): the values that
// a problem made unusable are left out, so every app can still be normalized (defaults fill the
// gaps) and checked, and each app knows which of its fields are broken, so that a semantic check
// that reads one stays quiet instead of judging a stand-in value.
import type { Segment } from './diagnostics.js';
import { isMap } from './merge-defaults.js';

type Path = readonly Segment[];

/**
 * The paths made unusable, each cut at the first list on its way: a list is judged whole, since
 * leaving one item out would shift the others. (Segments alone cannot tell: Ajv names list
 * items with strings, and an app may be called "1".)
 */
export const invalidPaths = (doc: unknown, paths: readonly Path[]): Path[] =>
  paths.map((path) => {
    let v = doc;
    for (let i = 0; i < path.length; i++) {
      if (Array.isArray(v)) return path.slice(0, i);
      v = isMap(v) ? v[String(path[i])] : undefined;
    }
    return path;
  });

const isPrefix = (prefix: Path, path: Path): boolean =>
  prefix.length <= path.length && prefix.every((s, i) => String(s) === String(path[i]));

/** One of the two paths contains the other: a broken `ready` breaks `ready.type`, and back. */
export const related = (a: Path, b: Path): boolean => isPrefix(a, b) || isPrefix(b, a);

/** The document without the `invalid` values (from invalidPaths); the original is not changed. */
export const acceptedDocument = (value: unknown, invalid: readonly Path[]): unknown => {
  let out = value;
  for (const path of invalid) out = without(out, path);
  return out;
};

const without = (value: unknown, path: Path): unknown => {
  if (path.length === 0) return undefined;
  if (!isMap(value)) return value;
  const [head, ...rest] = path;
  const key = String(head);
  if (!Object.hasOwn(value, key)) return value;
  const copy: Record<string, unknown> = { ...value };
  const inner = rest.length === 0 ? undefined : without(value[key], rest);
  if (inner === undefined) delete copy[key];
  else copy[key] = inner;
  return copy;
};

/**
 * The fields of app `name` (paths relative to the app) that are broken, from invalidPaths: its own invalid values,
 * and invalid values of `defaults` the app does not override.
 */
export const brokenFields = (invalid: readonly Path[], name: string, app: unknown): Path[] => {
  const out: Path[] = [];
  for (const path of invalid) {
    if (path[0] === 'apps' && String(path[1]) === name && path.length > 2) out.push(path.slice(2));
    // `defaults` broken as a whole is only absent: nothing of it reaches the apps.
    if (path[0] === 'defaults' && path.length > 1 && !overrides(app, path.slice(1))) out.push(path.slice(1));
  }
  return out;
};

/** The app writes its own value at `rel`, or replaces a map on the way with a value. */
const overrides = (app: unknown, rel: Path): boolean => {
  let v = app;
  for (const seg of rel) {
    if (!isMap(v)) return v !== undefined && v !== app;
    if (!Object.hasOwn(v, String(seg))) return false;
    v = v[String(seg)];
  }
  return v !== undefined;
};
