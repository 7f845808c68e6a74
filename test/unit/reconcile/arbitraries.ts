// fast-check generators of desired and actual states, and a tiny pure simulator of apply.
import fc from 'fast-check';
import type { AppSpec, DesiredState } from '../../../src/config/desired.js';
import type { Action, Plan } from '../../../src/reconcile/types.js';
import type { ActualState, AppView, InstanceStateName } from '../../../src/supervisor/view.js';
import { actual as actualOf, desired as desiredOf, instance, PROJECT, spec, view } from './builders.js';

export const NAMES = ['a', 'b', 'c', 'd', 'e', 'f'] as const;
const OTHER_NAMES = ['o1', 'o2'] as const;
const STATES: readonly InstanceStateName[] = ['starting', 'online', 'stopping', 'stopped', 'backoff', 'errored', 'rollback'];

/** Every value generated for env and baseEnv starts with this, so tests can look for leaks. */
export const SECRET_MARK = 'SECRET';

const opt = <T>(arb: fc.Arbitrary<T>, more: { freq?: number } = {}) => fc.option(arb, { nil: undefined, ...more });

export const specArb = (name: string, project: string, deps: readonly string[]): fc.Arbitrary<AppSpec> =>
  fc
    .record({
      command: fc.constantFrom(['node', 'a.js'], ['node', 'b.js'], ['python3', '-m', 'http.server'], ['/bin/sh', '-c', 'npm start']),
      shell: fc.boolean(),
      cwd: fc.constantFrom('/srv/a', '/srv/b'),
      instances: fc.integer({ min: 0, max: 4 }),
      mode: fc.constantFrom('fork' as const, 'cluster' as const, 'socket' as const),
      port: opt(fc.constantFrom(3000, 8080)),
      env: fc.dictionary(fc.constantFrom('A', 'B', 'constructor', 'toString'), fc.constantFrom(`${SECRET_MARK}_1`, `${SECRET_MARK}_2`)),
      baseEnv: fc.dictionary(fc.constantFrom('PATH', 'HOME'), fc.constantFrom(`${SECRET_MARK}_base1`, `${SECRET_MARK}_base2`)),
      envFile: opt(fc.constantFrom('/srv/a/.env', '/srv/b/.env')),
      policy: fc.constantFrom('always' as const, 'on-failure' as const, 'never' as const),
      initialMs: fc.constantFrom(100, 200),
      maxRestarts: fc.constantFrom(5, 10),
      timeoutMs: fc.constantFrom(1_000, 5_000),
      ready: fc.constantFrom('none' as const, 'tcp' as const, 'http' as const),
      maxSurge: fc.constantFrom(1, 2),
      watch: opt(
        fc.record({
          paths: fc.subarray(['/srv/a/src', '/srv/a/lib']),
          ignore: fc.constantFrom([], ['node_modules']),
          debounceMs: fc.constantFrom(100, 200),
        }),
      ),
      dependsOn: fc.subarray([...deps]),
      maxMemoryBytes: opt(fc.constantFrom(1024 ** 2, 512 * 1024 ** 2)),
    })
    .map((r) =>
      spec({
        name,
        project,
        command: r.command,
        shell: r.shell,
        cwd: r.cwd,
        instances: r.instances,
        mode: r.mode,
        port: r.port,
        env: r.env,
        baseEnv: r.baseEnv,
        envFile: r.envFile,
        restart: { policy: r.policy, backoff: { initialMs: r.initialMs, maxMs: 30_000, factor: 2 }, maxRestarts: r.maxRestarts },
        shutdown: { timeoutMs: r.timeoutMs },
        ready: { type: r.ready },
        reload: { maxSurge: r.maxSurge },
        watch: r.watch,
        dependsOn: r.dependsOn,
        maxMemoryBytes: r.maxMemoryBytes,
      }),
    );

/** A project's file: a random subset of NAMES, depends_on a random DAG (each app only on apps earlier in a random order). */
export const desiredArb: fc.Arbitrary<DesiredState> = fc
  .shuffledSubarray([...NAMES])
  .chain((names) => fc.tuple(...names.map((n, i) => specArb(n, PROJECT, names.slice(0, i)))))
  .map((apps) => desiredOf(apps));

const viewArb = (s: AppSpec): fc.Arbitrary<AppView> =>
  fc.oneof(
    { arbitrary: fc.constant(view(s)), weight: 3 },
    fc.record({ stopped: fc.boolean(), states: fc.array(fc.constantFrom(...STATES), { maxLength: 5 }) }).map((d) => view(s, d)),
  );

const FIELDS = [
  'command', 'shell', 'cwd', 'mode', 'port', 'env', 'instances', 'instances', 'instances', 'envFile', 'restart',
  'restart', 'shutdown', 'ready', 'reload', 'watch', 'dependsOn', 'maxMemoryBytes', 'baseEnv',
] as const satisfies readonly (keyof AppSpec)[];

/** `wanted` with one or two fields taken from `other`: small diffs, so scales and updates happen. */
const mutate = (wanted: AppSpec, other: AppSpec): fc.Arbitrary<AppSpec> =>
  fc
    .subarray([...FIELDS], { minLength: 1, maxLength: 2 })
    .map((fields) => Object.assign({ ...wanted }, Object.fromEntries(fields.map((f) => [f, other[f]]))) as AppSpec);

/**
 * What the daemon may report: for each name of the file, nothing, its spec (maybe with small
 * changes) or another spec; for other names mostly nothing; healthy or drifted; plus apps of
 * another project.
 */
export const actualArb = (want: DesiredState): fc.Arbitrary<ActualState> => {
  const byName = new Map(want.apps.map((s) => [s.name, s]));
  // Running specs depend only on smaller names: deletes must then go largest-dependents first.
  const ours = NAMES.map((name, i) => {
    const random = specArb(name, PROJECT, NAMES.slice(0, i));
    const wanted = byName.get(name);
    if (wanted === undefined) {
      return fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, random.chain(viewArb));
    }
    const running = fc.oneof(
      fc.constant(wanted),
      random.chain((r) => mutate(wanted, r)),
      random.chain((r) => mutate(wanted, r)),
      random,
    );
    return opt(running.chain(viewArb), { freq: 6 });
  });
  const theirs = OTHER_NAMES.map((name) => opt(specArb(name, 'other', ['a', 'o1']).chain(viewArb)));
  return fc.tuple(...ours, ...theirs).map((views) => actualOf(views.filter((v): v is AppView => v !== undefined)));
};

const online = (s: AppSpec): AppView => ({
  spec: s,
  stopped: false,
  instances: Array.from({ length: s.instances }, (_, i) => instance(i)),
});

/** Apply as a pure function: what each action leaves behind when it succeeds. */
export const simulate = (state: ActualState, plan: Plan): ActualState => {
  const apps = new Map(state.apps.map((v) => [v.spec.name, v]));
  const step = (a: Action): void => {
    const current = apps.get(a.app);
    switch (a.type) {
      case 'delete':
        apps.delete(a.app);
        return;
      case 'create':
      case 'restart':
      case 'reload':
      case 'start':
        apps.set(a.app, online(a.spec));
        return;
      case 'scale': {
        // Untouched instances stay as they are; new ones come up online.
        const kept = (current?.instances ?? []).filter((i) => i.index < a.to);
        const added = Array.from({ length: a.to - kept.length }, (_, k) => instance(kept.length + k));
        apps.set(a.app, { spec: a.spec, stopped: current?.stopped ?? false, instances: [...kept, ...added] });
        return;
      }
      case 'update':
        if (current !== undefined) apps.set(a.app, { ...current, spec: a.spec });
        return;
    }
  };
  plan.actions.forEach(step);
  return actualOf([...apps.values()]);
};

/** A spec as the plan compares it. */
export const compared = ({ baseEnv: _baseEnv, ...rest }: AppSpec) => ({ ...rest, dependsOn: [...rest.dependsOn].sort() });

export const deepFreeze = <T>(value: T): T => {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
};
