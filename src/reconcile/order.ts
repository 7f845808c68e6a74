// Deterministic topological order over depends_on. Validation rejects cycles and unknown names,
// but this stays total anyway: unknown names are ignored and a cycle falls back to name order.
import { compareNames } from './fields.js';

/**
 * `names` ordered so that each comes after every name it waits for (within `names`); among names
 * that are ready together, the smallest first.
 */
export const waitOrder = (names: Iterable<string>, waitsFor: (name: string) => readonly string[]): string[] => {
  const pending = new Set(names);
  const done = new Set<string>();
  const out: string[] = [];
  while (pending.size > 0) {
    const ready = [...pending].filter((n) => waitsFor(n).every((d) => d === n || !pending.has(d)));
    // A cycle leaves nothing ready: release its smallest name.
    const next = (ready.length > 0 ? ready : [...pending]).sort(compareNames)[0]!;
    pending.delete(next);
    done.add(next);
    out.push(next);
  }
  return out;
};

/** Dependencies before their dependents (creates, starts, replaces, scales, updates). */
export const dependencyOrder = (deps: ReadonlyMap<string, readonly string[]>): string[] =>
  waitOrder(deps.keys(), (n) => deps.get(n) ?? []);

/** Dependents before their dependencies (deletes: stop what uses an app before the app). */
export const reverseDependencyOrder = (deps: ReadonlyMap<string, readonly string[]>): string[] => {
  const dependents = new Map<string, string[]>();
  for (const [name, ds] of deps) for (const d of ds) dependents.set(d, [...(dependents.get(d) ?? []), name]);
  return waitOrder(deps.keys(), (n) => dependents.get(n) ?? []);
};
