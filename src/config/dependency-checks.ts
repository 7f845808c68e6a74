// `depends_on` must name apps of the file and must not form a cycle (SPEC §3): the order of
// start and stop follows it.
import { type Problem, problem } from './diagnostics.js';
import type { AppDraft } from './normalize.js';
import { suggest } from './schema-errors.js';

/** `appNames`: every app of the file, valid or not (an invalid app is still not "missing"). */
export const checkDependencies = (drafts: readonly AppDraft[], appNames: readonly string[]): Problem[] => {
  const names = new Set(appNames);
  const out: Problem[] = [];
  // A broken depends_on may stand in as the one of `defaults`: it says nothing about the app.
  const known = drafts.filter((d) => !d.broken('depends_on'));
  for (const d of known) {
    d.spec.dependsOn.forEach((dep, i) => {
      if (!names.has(dep)) {
        const message = `app '${dep}' is not defined in apps${suggest(dep, appNames)}`;
        out.push(problem(d.merged.origin('depends_on', i), 'value', message));
      }
    });
  }
  return [...out, ...checkCycles(known)];
};

const checkCycles = (drafts: readonly AppDraft[]): Problem[] => {
  const byName = new Map(drafts.map((d) => [d.spec.name, d]));
  const state = new Map<string, 'active' | 'done'>();
  const stack: string[] = [];
  const seen = new Set<string>();
  const out: Problem[] = [];
  const visit = (name: string): void => {
    state.set(name, 'active');
    stack.push(name);
    for (const dep of byName.get(name)?.spec.dependsOn ?? []) {
      if (!byName.has(dep)) continue;
      if (state.get(dep) === 'active') {
        const cycle = canonical(stack.slice(stack.indexOf(dep)));
        const key = cycle.join(' ');
        if (!seen.has(key)) {
          seen.add(key);
          out.push(cycleProblem(cycle, byName));
        }
      } else if (state.get(dep) === undefined) {
        visit(dep);
      }
    }
    stack.pop();
    state.set(name, 'done');
  };
  for (const name of [...byName.keys()].sort()) if (state.get(name) === undefined) visit(name);
  return out;
};

/** The same cycle found from any of its apps reads the same: start at the smallest name. */
const canonical = (cycle: readonly string[]): string[] => {
  const start = cycle.indexOf([...cycle].sort()[0] ?? '');
  return [...cycle.slice(start), ...cycle.slice(0, start)];
};

/** Reported on the item that closes the cycle: the last app's dependency on the first. */
const cycleProblem = (cycle: readonly string[], byName: ReadonlyMap<string, AppDraft>): Problem => {
  const first = cycle[0] ?? '';
  const last = byName.get(cycle[cycle.length - 1] ?? '');
  const index = last?.spec.dependsOn.indexOf(first) ?? 0;
  const path = last?.merged.origin('depends_on', index) ?? ['apps'];
  return problem(path, 'value', `depends_on forms a cycle: ${[...cycle, first].join(' -> ')}`);
};
