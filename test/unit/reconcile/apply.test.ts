// executePlan decides only *when* each action runs. An in-memory supervisor whose operations the
// test completes by hand shows the order: what started, what waits, what never runs and why.
import { describe, expect, it } from 'vitest';
import type { AppSpec } from '../../../src/config/desired.js';
import type { ProgressEvent } from '../../../src/daemon/protocol.js';
import { executePlan } from '../../../src/reconcile/apply.js';
import type { Action } from '../../../src/reconcile/types.js';
import type { AppView } from '../../../src/supervisor/view.js';
import type { OpResult, SupervisorApi } from '../../../src/supervisor/types.js';
import { PROJECT, spec, view } from './builders.js';

/** A supervisor that records each call and leaves it pending until `finish(app, result)`. */
const scriptedSupervisor = (existing: readonly AppView[] = []) => {
  const calls: string[] = [];
  const pending = new Map<string, (r: OpResult) => void>();
  const op = (verb: string, app: string): Promise<OpResult> => {
    calls.push(`${verb} ${app}`);
    return new Promise((resolve) => pending.set(app, resolve));
  };
  const supervisor: SupervisorApi = {
    apps: () => existing,
    app: (name) => existing.find((a) => a.spec.name === name),
    create: (s) => op('create', s.name),
    scale: (s) => op('scale', s.name),
    restart: (s) => op('restart', s.name),
    reload: (s) => op('reload', s.name),
    update: (s) => void calls.push(`update ${s.name}`),
    start: (name, s) => op(s === undefined ? 'start' : `start(${s.instances} instances)`, name),
    stop: (name) => op('stop', name),
    remove: (name) => op('remove', name),
    shutdown: async () => undefined,
  };
  /** Lets queued promise callbacks run, so whatever can start has started. */
  const settle = async (): Promise<void> => {
    for (let k = 0; k < 10; k++) await Promise.resolve();
  };
  const finish = async (app: string, result: OpResult = { ok: true }): Promise<void> => {
    const resolve = pending.get(app);
    if (resolve === undefined) throw new Error(`${app} has no pending operation (calls: ${calls.join(', ')})`);
    pending.delete(app);
    resolve(result);
    await settle();
  };
  return { supervisor, calls, finish, settle };
};

const app = (name: string, dependsOn: readonly string[] = []): AppSpec => spec({ name, dependsOn });
const create = (s: AppSpec): Action => ({ type: 'create', app: s.name, spec: s });
const remove = (name: string, after: readonly string[] = []): Action => ({ type: 'delete', app: name, instances: 1, running: 1, after });

describe('executePlan', () => {
  it('starts independent apps together and a dependent only once its dependency is done', async () => {
    const [db, cache, api] = [app('db'), app('cache'), app('api', ['db', 'cache'])];
    const { supervisor, calls, finish, settle } = scriptedSupervisor();
    const done = executePlan({ project: PROJECT, refusals: [], actions: [create(api), create(cache), create(db)] }, supervisor);
    await settle();
    // Started together: their order among themselves is not part of the contract.
    expect([...calls].sort()).toEqual(['create cache', 'create db']);
    await finish('db');
    expect(calls).toHaveLength(2);
    await finish('cache');
    expect(calls.slice(2)).toEqual(['create api']);
    await finish('api');
    expect((await done).map((r) => `${r.app} ${r.ok}`)).toEqual(['api true', 'cache true', 'db true']);
  });

  it('deletes a dependent before its dependency, and all deletes before anything else', async () => {
    const [db, api] = [app('db'), app('api', ['db'])];
    const { supervisor, calls, finish, settle } = scriptedSupervisor([view(db), view(api)]);
    const web = app('web');
    const done = executePlan({ project: PROJECT, refusals: [], actions: [remove('db', ['api']), create(web), remove('api')] }, supervisor);
    await settle();
    expect(calls).toEqual(['remove api']);
    await finish('api');
    expect(calls).toEqual(['remove api', 'remove db']);
    await finish('db');
    expect(calls).toEqual(['remove api', 'remove db', 'create web']);
    await finish('web');
    expect((await done).every((r) => r.ok)).toBe(true);
  });

  it('never runs the dependents of a failed action, and reports each of them as an event and a result', async () => {
    const [db, api, web] = [app('db'), app('api', ['db']), app('web', ['api'])];
    const { supervisor, calls, finish, settle } = scriptedSupervisor();
    const events: ProgressEvent[] = [];
    const done = executePlan({ project: PROJECT, refusals: [], actions: [create(db), create(api), create(web)] }, supervisor, (e) => events.push(e));
    await settle();
    await finish('db', { ok: false, reason: 'instance 0: exited with code 1 before ready' });
    const results = await done;
    expect(calls).toEqual(['create db']);
    expect(results).toEqual([
      { app: 'db', type: 'create', status: 'failed', ok: false, reason: 'instance 0: exited with code 1 before ready' },
      { app: 'api', type: 'create', status: 'skipped', ok: false, reason: 'not started: dependency db failed' },
      { app: 'web', type: 'create', status: 'skipped', ok: false, reason: 'not started: dependency api failed' },
    ]);
    const finished = events.flatMap((e) => (e.type === 'action-done' ? [e.result] : []));
    expect(finished).toEqual([results[0], results[1], results[2]]);
    expect(events.filter((e) => e.type === 'action-start').map((e) => e.type === 'action-start' && e.app)).toEqual(['db']);
  });

  it('brings a drifted app back with one supervisor operation that carries the changed spec', async () => {
    const api = app('api');
    const { supervisor, calls, finish, settle } = scriptedSupervisor([view(api)]);
    const changed = { ...api, instances: 3 };
    const start: Action = { type: 'start', app: 'api', spec: changed, reason: 'stopped' };
    const done = executePlan({ project: PROJECT, refusals: [], actions: [start] }, supervisor);
    await settle();
    // No `update` beside it: the spec changes inside the start, in the app's queue.
    expect(calls).toEqual(['start(3 instances) api']);
    await finish('api');
    expect(await done).toEqual([{ app: 'api', type: 'start', status: 'ok', ok: true }]);
  });

  it('turns an operation that throws into a failed result instead of rejecting', async () => {
    const { supervisor } = scriptedSupervisor();
    const throwing: SupervisorApi = { ...supervisor, create: () => Promise.reject(new Error('boom')) };
    expect(await executePlan({ project: PROJECT, refusals: [], actions: [create(app('db'))] }, throwing)).toEqual([
      { app: 'db', type: 'create', status: 'failed', ok: false, reason: 'internal error: boom' },
    ]);
  });
});
