// The plan: a pure function of (desired, actual), no I/O, no clock, no randomness (SPEC §6).
// `diff` renders it, `apply` executes it; applying it and planning again yields no actions.
import type { AppSpec, DesiredState } from '../config/desired.js';
import { replacementOf } from '../config/modes.js';
import { diffSpecs, fieldEffect } from './fields.js';
import { dependencyOrder, reverseDependencyOrder } from './order.js';
import { planRefusals } from './preflight.js';
import { type Action, type DriftReason, type FieldChange, type HostFacts, NO_FACTS, type Plan } from './types.js';
import type { ActualState, AppView } from '../supervisor/view.js';

/**
 * The actions that make the project's apps in `actual` match `desired`, at most one per app.
 *
 * Only apps of `desired.project` are considered; other projects are never touched.
 *
 * Per app (the file's change decides first, drift second):
 * - in the file, not running → `create`; running, not in the file → `delete`.
 * - `run`, `shell`, `cwd`, `env`, `mode` or `port` changed → new processes: `reload` when the old
 *   and the new spec share the same port (cluster/socket, same mode and port) so the old instances
 *   keep serving, else `restart`. It carries the new instance count and every other change.
 * - else, drift (stopped, errored, rolled back, missing instances) with a changed `instances` →
 *   the same replace: a scale would not start what is stopped, a start would not change the count.
 * - else, drift → `start` with the new spec, listing any in-place changes it brings.
 * - else `instances` changed → `scale`, listing any in-place changes it brings.
 * - else other settings changed → `update` in place.
 *
 * Order: deletes first, dependents before their dependencies (by the running specs' depends_on),
 * so ports and names are free before anything starts; then every other action with dependencies
 * before their dependents (by the file's depends_on). Ties are broken by app name.
 */
export const planActions = (desired: DesiredState, actual: ActualState, facts: HostFacts = NO_FACTS): Plan => {
  const running = new Map(
    actual.apps.filter((v) => v.spec.project === desired.project).map((v) => [v.spec.name, v] as const),
  );
  const wanted = new Map(desired.apps.map((s) => [s.name, s] as const));

  const removed = [...running.values()].filter((v) => !wanted.has(v.spec.name));
  const deleteOrder = reverseDependencyOrder(new Map(removed.map((v) => [v.spec.name, v.spec.dependsOn])));
  const deletes: Action[] = deleteOrder.map((name) => {
    const view = running.get(name)!;
    const after = removed.filter((v) => v.spec.dependsOn.includes(name)).map((v) => v.spec.name);
    return { type: 'delete', app: name, instances: view.instances.length, running: servingCount(view), after };
  });

  const applyOrder = dependencyOrder(new Map(desired.apps.map((s) => [s.name, s.dependsOn])));
  const others = applyOrder.flatMap((name) => {
    const action = planApp(wanted.get(name)!, running.get(name));
    return action === undefined ? [] : [action];
  });

  const actions = [...deletes, ...others];
  return { project: desired.project, actions, refusals: planRefusals(desired, actual, actions, facts) };
};

/** The one action (or none) that brings one app from its view to its spec. */
export const planApp = (spec: AppSpec, view: AppView | undefined): Action | undefined => {
  if (view === undefined) return { type: 'create', app: spec.name, spec };

  const changes = diffSpecs(view.spec, spec);
  const drift = driftOf(view);
  const needsReplace = changes.some((c) => fieldEffect(c.field) === 'replace');
  const needsScale = changes.some((c) => fieldEffect(c.field) === 'scale');

  if (needsReplace || (drift !== undefined && needsScale)) return replace(view, spec, changes);
  if (drift !== undefined) return { type: 'start', app: spec.name, spec, reason: drift, ...withChanges(changes) };
  if (needsScale) {
    return { type: 'scale', app: spec.name, spec, from: view.spec.instances, to: spec.instances, changes };
  }
  if (changes.length > 0) return { type: 'update', app: spec.name, spec, changes };
  return undefined;
};

/** Why an app the file did not change still needs a start; the first that applies. */
export const driftOf = (view: AppView): DriftReason | undefined => {
  if (view.stopped) return 'stopped';
  if (view.instances.some((i) => i.state === 'errored')) return 'errored';
  if (view.instances.some((i) => i.state === 'rollback')) return 'rollback';
  if (view.instances.length < view.spec.instances) return 'missing-instances';
  return undefined;
};

/** Instances that serve now: online, or kept serving by a rolled-back reload. */
export const servingCount = (view: Pick<AppView, 'stopped' | 'instances'>): number =>
  view.stopped ? 0 : view.instances.filter((i) => i.state === 'online' || i.state === 'rollback').length;

const replace = (view: AppView, spec: AppSpec, changes: readonly FieldChange[]): Action => ({
  type: replacementOf(view.spec, spec),
  app: spec.name,
  spec,
  changes,
  instances: spec.instances,
  running: servingCount(view),
});

const withChanges = (changes: readonly FieldChange[]): { changes?: readonly FieldChange[] } =>
  changes.length > 0 ? { changes } : {};
