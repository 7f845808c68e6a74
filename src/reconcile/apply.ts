// Executes a plan against the supervisor. The plan decides *what*; this decides only *when*:
// deletes first (dependents before their dependencies, freeing ports for what comes next), then
// every other action as soon as the actions of the apps it depends on have finished — so
// independent apps start in parallel and a dependency is always ready before its dependents.
import type { OpResult, SupervisorApi } from '../supervisor/types.js';
import { type ActionResult, type ProgressEvent, failed, skipped, toActionResult } from './results.js';
import type { Action, Plan } from './types.js';

export const executePlan = async (
  plan: Plan,
  supervisor: SupervisorApi,
  onEvent: (e: ProgressEvent) => void = () => {},
): Promise<ActionResult[]> => {
  const deletes = plan.actions.filter((a) => a.type === 'delete');
  const others = plan.actions.filter((a) => a.type !== 'delete');
  // Refused before acting (SPEC §9): reported with the plan's own words, nothing of it runs.
  const refused = new Map(plan.refusals.map((r) => [r.app, r.message] as const));
  const report = (result: ActionResult): ActionResult => {
    onEvent({ type: 'action-done', result });
    return result;
  };
  const run = (a: Action): Promise<ActionResult> => {
    const reason = refused.get(a.app);
    return reason === undefined ? runAction(a, supervisor, onEvent) : Promise.resolve(report(failed(a.app, a.type, reason)));
  };
  // Reported like any finished action, so a watcher of the events learns why it never started;
  // an action refused on its own account says so rather than blame its dependency.
  const skip = (a: Action, dependency: string): ActionResult => {
    const reason = refused.get(a.app);
    return report(reason === undefined ? skipped(a.app, a.type, dependency) : failed(a.app, a.type, reason));
  };

  // A deleted app waits for the deletion of every deleted app that depends on it: the plan's order.
  const deleted = await runInOrder(deletes, (a) => (a.type === 'delete' ? a.after : []), run, skip);
  const rest = await runInOrder(others, (a) => ('spec' in a ? [...a.spec.dependsOn] : []), run, skip);
  const byApp = new Map([...deleted, ...rest].map((r) => [r.app, r]));
  return plan.actions.map((a) => byApp.get(a.app) ?? failed(a.app, a.type, 'not run'));
};

/** Runs each action once all actions it waits for (by app name, within `actions`) have finished. */
const runInOrder = async (
  actions: readonly Action[],
  waitsFor: (a: Action) => readonly string[],
  run: (a: Action) => Promise<ActionResult>,
  skip: (a: Action, failedDependency: string) => ActionResult,
): Promise<ActionResult[]> => {
  const started = new Map<string, Promise<ActionResult>>();
  const inPlan = new Set(actions.map((a) => a.app));
  const start = (a: Action): Promise<ActionResult> => {
    const existing = started.get(a.app);
    if (existing) return existing;
    const promise = (async () => {
      const deps = waitsFor(a).filter((d) => inPlan.has(d) && d !== a.app);
      const results = await Promise.all(deps.map((d) => start(actions.find((x) => x.app === d)!)));
      const failed = results.find((r) => !r.ok);
      if (failed) return skip(a, failed.app);
      return run(a);
    })();
    started.set(a.app, promise);
    return promise;
  };
  return Promise.all(actions.map(start));
};

const runAction = async (a: Action, supervisor: SupervisorApi, onEvent: (e: ProgressEvent) => void): Promise<ActionResult> => {
  onEvent({ type: 'action-start', app: a.app, action: a.type });
  let outcome: OpResult;
  try {
    outcome = await dispatch(a, supervisor);
  } catch (e) {
    outcome = { ok: false, reason: `internal error: ${(e as Error).message}` };
  }
  const result = toActionResult(a.app, a.type, outcome);
  onEvent({ type: 'action-done', result });
  return result;
};

const dispatch = (a: Action, supervisor: SupervisorApi): Promise<OpResult> => {
  switch (a.type) {
    case 'create':
      return supervisor.create(a.spec);
    case 'delete':
      return supervisor.remove(a.app);
    case 'scale':
      return supervisor.scale(a.spec);
    case 'restart':
      return supervisor.restart(a.spec);
    case 'reload':
      return supervisor.reload(a.spec);
    case 'update':
      supervisor.update(a.spec);
      return Promise.resolve({ ok: true });
    case 'start':
      return supervisor.start(a.app, a.spec);
  }
};
