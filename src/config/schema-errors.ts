// Ajv errors -> Problems that say what was expected. Ajv (allErrors, verbose) reports every
// failing branch of an `anyOf`; a user wants one message per value, so branches are folded:
// when the value is a map or a list and a branch of that type exists, that branch's own errors
// (unknown keys, errors deeper down) are kept; otherwise the anyOf is reported as one
// "must be X or Y" message.
import type { ErrorObject } from 'ajv';
import { distance } from 'fastest-levenshtein';
import { describeSchema } from './describe-schema.js';
import { type Problem, type Segment, problem, showValue } from './diagnostics.js';
import { pm2KeyHint, pm2ValueHint } from './pm2-hints.js';

type Schema = Readonly<Record<string, unknown>>;

const STRUCTURAL = new Set(['additionalProperties', 'required', 'propertyNames']);

export const schemaProblems = (errors: readonly ErrorObject[]): Problem[] => {
  const dropped = new Set<ErrorObject>();
  const reportWhole = new Set<ErrorObject>();
  for (const e of errors) {
    if (e.keyword !== 'anyOf') continue;
    const branches = (Array.isArray(e.schema) ? e.schema : []) as Schema[];
    const chosen = branches.find((b) => (b.type === 'object' || b.type === 'array') && typeMatches(b.type, e.data));
    for (const other of errors) {
      if (other === e || other.instancePath !== e.instancePath || other.propertyName !== undefined) continue;
      if (other.keyword === 'propertyNames') continue;
      const fromChosen = chosen !== undefined && (other.parentSchema as Schema | undefined)?.type === chosen.type;
      if (fromChosen && STRUCTURAL.has(other.keyword)) continue;
      dropped.add(other);
      // A failed range or length check of the chosen branch reads best as the whole anyOf.
      if (fromChosen) reportWhole.add(e);
    }
    if (chosen !== undefined && !reportWhole.has(e)) dropped.add(e);
  }
  const out: Problem[] = [];
  for (const e of errors) {
    if (dropped.has(e) || e.propertyName !== undefined) continue;
    out.push(toProblem(e, errors));
  }
  return out;
};

const toProblem = (e: ErrorObject, all: readonly ErrorObject[]): Problem => {
  const path = pointerToPath(e.instancePath);
  const parent = (e.parentSchema ?? {}) as Schema;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const known = Object.keys((parent.properties ?? {}) as Schema);
      const hint = appLevel(path) ? pm2KeyHint(key, ownValue(e.data, key), appName(path)) : undefined;
      return problem([...path, key], 'key', `unknown key '${key}'${hint === undefined ? suggest(key, known) : `: ${hint}`}`);
    }
    case 'required': {
      const key = String((e.params as { missingProperty: string }).missingProperty);
      return problem(path, 'key', `missing required key '${key}'`, [...path, key]);
    }
    case 'propertyNames': {
      const name = String((e.params as { propertyName: string }).propertyName);
      // The name's own schema is on the inner error Ajv reports next to this one.
      const inner = all.find((o) => o.propertyName === name && o.instancePath === e.instancePath);
      const what = describeSchema(inner?.parentSchema);
      const isAppName = path.length === 1 && path[0] === 'apps';
      // A bad app name is only a label: the app's own fields are still checked.
      return problem([...path, name], 'key', `invalid ${isAppName ? 'app name' : 'key'} '${name}': expected ${what}`, isAppName ? undefined : [...path, name]);
    }
    default: {
      const last = path[path.length - 1];
      const hint = appLevel(path.slice(0, -1)) && typeof last === 'string' ? pm2ValueHint(last, e.data) : undefined;
      const message = `must be ${describeSchema(parent)}, got ${showValue(e.data)}${hint === undefined ? '' : ` (${hint})`}`;
      return problem(path, 'value', message, path);
    }
  }
};

/** The map of one app (`apps.X`) or `defaults`: where PM2's keys would be written. */
const appLevel = (path: readonly Segment[]): boolean =>
  (path.length === 2 && path[0] === 'apps') || (path.length === 1 && path[0] === 'defaults');

const appName = (path: readonly Segment[]): string | undefined => (path[0] === 'apps' ? String(path[1]) : undefined);

const ownValue = (data: unknown, key: string): unknown =>
  data !== null && typeof data === 'object' && Object.hasOwn(data, key) ? (data as Record<string, unknown>)[key] : undefined;

/** `" (did you mean 'instances'?)"` when one known key is close enough, else ''. */
export const suggest = (key: string, known: readonly string[]): string => {
  const lower = key.toLowerCase();
  const ranked = known
    .map((k) => ({ k, d: distance(lower, k), swapped: sameLetters(lower, k), first: lower[0] === k[0] }))
    // Plain Levenshtein counts a swap of two letters as 2: on a tie, prefer the anagram.
    .sort((a, b) => a.d - b.d || Number(b.swapped) - Number(a.swapped) || Number(b.first) - Number(a.first));
  const best = ranked[0];
  if (best === undefined) return '';
  return best.d <= Math.max(2, Math.floor(key.length / 3)) && best.d < key.length ? ` (did you mean '${best.k}'?)` : '';
};

const sameLetters = (a: string, b: string): boolean => [...a].sort().join('') === [...b].sort().join('');

const typeMatches = (type: unknown, data: unknown): boolean => {
  if (type === 'array') return Array.isArray(data);
  if (type === 'object') return data !== null && typeof data === 'object' && !Array.isArray(data);
  return false;
};

export const pointerToPath = (pointer: string): Segment[] =>
  pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
