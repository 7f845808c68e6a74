import { describe, expect, it } from 'vitest';
import type { AppSpec } from '../../../src/config/desired.js';
import { planActions, servingCount } from '../../../src/reconcile/plan.js';
import type { Action, FieldChange } from '../../../src/reconcile/types.js';
import type { AppView } from '../../../src/supervisor/view.js';
import { actual, desired, spec, view } from './builders.js';

const plan = (want: readonly AppSpec[], have: readonly AppView[]) => planActions(desired(want), actual(have)).actions;

const api = spec({ name: 'api' });
const web = spec({ name: 'web', mode: 'cluster', port: 3000, instances: 2 });
const sock = spec({ name: 'sock', mode: 'socket', port: 4000, instances: 2 });
const forked = spec({ name: 'forked', port: 8080, instances: 2 });

interface Case {
  readonly name: string;
  readonly want: readonly AppSpec[];
  readonly have: readonly AppView[];
  readonly expected: readonly Action[];
}

const restartOf = (s: AppSpec, changes: FieldChange[], running = s.instances): Action => ({
  type: 'restart',
  app: s.name,
  spec: s,
  changes,
  instances: s.instances,
  running,
});
const reloadOf = (s: AppSpec, changes: FieldChange[], running = s.instances): Action => ({
  type: 'reload',
  app: s.name,
  spec: s,
  changes,
  instances: s.instances,
  running,
});

const cases: readonly Case[] = [
  { name: 'nothing declared, nothing running', want: [], have: [], expected: [] },
  { name: 'matching state', want: [api, web], have: [view(api), view(web)], expected: [] },
  {
    name: 'baseEnv is never compared',
    want: [spec({ name: 'api', baseEnv: { PATH: '/opt/bin', LANG: 'C' } })],
    have: [view(api)],
    expected: [],
  },
  {
    name: 'depends_on order carries no meaning',
    want: [spec({ name: 'api', dependsOn: ['b', 'a'] })],
    have: [view(spec({ name: 'api', dependsOn: ['a', 'b'] }))],
    expected: [],
  },
  { name: 'in the file, not running: create', want: [api], have: [], expected: [{ type: 'create', app: 'api', spec: api }] },
  {
    name: 'running, not in the file: delete with its instance count',
    want: [],
    have: [view(web)],
    expected: [{ type: 'delete', app: 'web', instances: 2, running: 2, after: [] }],
  },
  {
    name: 'run changed (fork): restart',
    want: [spec({ name: 'api', command: ['node', 'b.js'] })],
    have: [view(api)],
    expected: [
      restartOf(spec({ name: 'api', command: ['node', 'b.js'] }), [
        { field: 'run', before: ['node', 'app.js'], after: ['node', 'b.js'] },
      ]),
    ],
  },
  {
    name: 'shell changed: restart',
    want: [spec({ name: 'api', shell: true })],
    have: [view(api)],
    expected: [restartOf(spec({ name: 'api', shell: true }), [{ field: 'shell', before: false, after: true }])],
  },
  {
    name: 'cwd changed: restart',
    want: [spec({ name: 'api', cwd: '/srv/v2' })],
    have: [view(api)],
    expected: [restartOf(spec({ name: 'api', cwd: '/srv/v2' }), [{ field: 'cwd', before: '/srv/shop', after: '/srv/v2' }])],
  },
  {
    name: 'env keys added, removed and changed: one secret change each, sorted',
    want: [spec({ name: 'api', env: { B: '2', C: 'new', D: '4' } })],
    have: [view(spec({ name: 'api', env: { A: '1', B: '2', C: 'old' } }))],
    expected: [
      restartOf(spec({ name: 'api', env: { B: '2', C: 'new', D: '4' } }), [
        { field: 'env.A', before: '1', after: undefined, secret: true },
        { field: 'env.C', before: 'old', after: 'new', secret: true },
        { field: 'env.D', before: undefined, after: '4', secret: true },
      ]),
    ],
  },
  {
    name: 'cluster with a port, run changed: rolling reload',
    want: [spec({ ...web, command: ['node', 'v2.js'] })],
    have: [view(web)],
    expected: [
      reloadOf(spec({ ...web, command: ['node', 'v2.js'] }), [
        { field: 'run', before: ['node', 'app.js'], after: ['node', 'v2.js'] },
      ]),
    ],
  },
  {
    name: 'socket with a port, env changed: rolling reload',
    want: [spec({ ...sock, env: { X: '1' } })],
    have: [view(sock)],
    expected: [reloadOf(spec({ ...sock, env: { X: '1' } }), [{ field: 'env.X', before: undefined, after: '1', secret: true }])],
  },
  {
    name: 'fork with ports, run changed: restart',
    want: [spec({ ...forked, command: ['node', 'v2.js'] })],
    have: [view(forked)],
    expected: [
      restartOf(spec({ ...forked, command: ['node', 'v2.js'] }), [
        { field: 'run', before: ['node', 'app.js'], after: ['node', 'v2.js'] },
      ]),
    ],
  },
  {
    name: 'cluster without a port: restart',
    want: [spec({ name: 'c', mode: 'cluster', cwd: '/x' })],
    have: [view(spec({ name: 'c', mode: 'cluster' }))],
    expected: [restartOf(spec({ name: 'c', mode: 'cluster', cwd: '/x' }), [{ field: 'cwd', before: '/srv/shop', after: '/x' }])],
  },
  {
    name: 'mode changed fork → cluster: restart (old and new cannot share the socket)',
    want: [spec({ ...forked, mode: 'cluster' })],
    have: [view(forked)],
    expected: [restartOf(spec({ ...forked, mode: 'cluster' }), [{ field: 'mode', before: 'fork', after: 'cluster' }])],
  },
  {
    name: 'port of a cluster app changed: restart',
    want: [spec({ ...web, port: 3001 })],
    have: [view(web)],
    expected: [restartOf(spec({ ...web, port: 3001 }), [{ field: 'port', before: 3000, after: 3001 }])],
  },
  {
    name: 'run and instances changed: one reload carrying the new count',
    want: [spec({ ...web, command: ['node', 'v2.js'], instances: 4 })],
    have: [view(web)],
    expected: [
      reloadOf(
        spec({ ...web, command: ['node', 'v2.js'], instances: 4 }),
        [
          { field: 'instances', before: 2, after: 4 },
          { field: 'run', before: ['node', 'app.js'], after: ['node', 'v2.js'] },
        ],
        2,
      ),
    ],
  },
  {
    name: 'only instances changed: scale',
    want: [spec({ ...web, instances: 5 })],
    have: [view(web)],
    expected: [
      {
        type: 'scale',
        app: 'web',
        spec: spec({ ...web, instances: 5 }),
        from: 2,
        to: 5,
        changes: [{ field: 'instances', before: 2, after: 5 }],
      },
    ],
  },
  {
    name: 'instances and a restart setting changed: one scale listing both',
    want: [spec({ ...web, instances: 1, restart: { policy: 'never' } })],
    have: [view(web)],
    expected: [
      {
        type: 'scale',
        app: 'web',
        spec: spec({ ...web, instances: 1, restart: { policy: 'never' } }),
        from: 2,
        to: 1,
        changes: [
          { field: 'instances', before: 2, after: 1 },
          { field: 'restart.policy', before: 'always', after: 'never' },
        ],
      },
    ],
  },
  {
    name: 'run and a shutdown setting changed: the restart lists both, sorted',
    want: [spec({ name: 'api', command: ['node', 'b.js'], shutdown: { timeoutMs: 9_000 } })],
    have: [view(api)],
    expected: [
      restartOf(spec({ name: 'api', command: ['node', 'b.js'], shutdown: { timeoutMs: 9_000 } }), [
        { field: 'run', before: ['node', 'app.js'], after: ['node', 'b.js'] },
        { field: 'shutdown.timeout', before: 5_000, after: 9_000 },
      ]),
    ],
  },
  {
    name: 'app of another project not in the file: untouched',
    want: [api],
    have: [view(api), view(spec({ name: 'blog', project: 'other' }))],
    expected: [],
  },
  {
    name: 'app of another project with a name in the file: ours is still created',
    want: [api],
    have: [view(spec({ name: 'api', project: 'other', command: ['ruby', 'x.rb'] }))],
    expected: [{ type: 'create', app: 'api', spec: api }],
  },
  {
    name: 'more instance views than the spec asks for: no drift',
    want: [api],
    have: [view(api, { states: ['online', 'online'] })],
    expected: [],
  },
];

describe('planActions: one rule per case', () => {
  it.each(cases)('$name', ({ want, have, expected }) => {
    expect(plan(want, have)).toEqual(expected);
  });
});

describe('planActions: in-place updates', () => {
  const updates: readonly (readonly [string, SpecOverridesFor, unknown, unknown])[] = [
    ['restart.policy', { restart: { policy: 'on-failure' } }, 'always', 'on-failure'],
    ['restart.backoff.initial', { restart: { backoff: { initialMs: 250, maxMs: 30_000, factor: 2 } } }, 100, 250],
    ['restart.backoff.max', { restart: { backoff: { initialMs: 100, maxMs: 60_000, factor: 2 } } }, 30_000, 60_000],
    ['restart.backoff.factor', { restart: { backoff: { initialMs: 100, maxMs: 30_000, factor: 3 } } }, 2, 3],
    ['restart.max_restarts', { restart: { maxRestarts: 5 } }, 10, 5],
    ['restart.window', { restart: { windowMs: 10_000 } }, 60_000, 10_000],
    ['restart.min_uptime', { restart: { minUptimeMs: 0 } }, 1_000, 0],
    ['shutdown.signal', { shutdown: { signal: 'SIGINT' } }, 'SIGTERM', 'SIGINT'],
    ['shutdown.timeout', { shutdown: { timeoutMs: 1_000 } }, 5_000, 1_000],
    ['ready.type', { ready: { type: 'http' } }, 'none', 'http'],
    ['ready.path', { ready: { path: '/healthz' } }, '/', '/healthz'],
    ['ready.timeout', { ready: { timeoutMs: 5_000 } }, 30_000, 5_000],
    ['ready.delay', { ready: { delayMs: 0 } }, 1_000, 0],
    ['reload.max_surge', { reload: { maxSurge: 2 } }, 1, 2],
    ['reload.max_unavailable', { reload: { maxUnavailable: 1 } }, 0, 1],
    ['depends_on', { dependsOn: ['db'] }, [], ['db']],
    ['max_memory', { maxMemoryBytes: 512 * 1024 * 1024 }, undefined, 512 * 1024 * 1024],
    ['env_file', { envFile: '/srv/shop/.env' }, undefined, '/srv/shop/.env'],
  ];

  it.each(updates)('%s changed: update in place', (field, over, before, after) => {
    const next = spec({ name: 'api', ...over });
    expect(plan([next], [view(api)])).toEqual([{ type: 'update', app: 'api', spec: next, changes: [{ field, before, after }] }]);
  });

  it('watch switched on: lists the switch and each setting', () => {
    const next = spec({ name: 'api', watch: { paths: ['/srv/shop/src'], ignore: ['node_modules'], debounceMs: 200 } });
    expect(plan([next], [view(api)])).toEqual([
      {
        type: 'update',
        app: 'api',
        spec: next,
        changes: [
          { field: 'watch', before: false, after: true },
          { field: 'watch.debounce', before: undefined, after: 200 },
          { field: 'watch.ignore', before: undefined, after: ['node_modules'] },
          { field: 'watch.paths', before: undefined, after: ['/srv/shop/src'] },
        ],
      },
    ]);
  });

  it('env_file path changed with the same contents: update only (contents are in env)', () => {
    const before = spec({ name: 'api', envFile: '/a/.env', env: { K: 'v' } });
    const after = spec({ name: 'api', envFile: '/b/.env', env: { K: 'v' } });
    expect(plan([after], [view(before)])).toEqual([
      { type: 'update', app: 'api', spec: after, changes: [{ field: 'env_file', before: '/a/.env', after: '/b/.env' }] },
    ]);
  });
});

type SpecOverridesFor = Parameters<typeof spec>[0];

describe('planActions: drift', () => {
  const drifts = [
    ['stopped', view(web, { stopped: true, states: ['stopped', 'stopped'] })],
    ['errored', view(web, { states: ['online', 'errored'] })],
    ['rollback', view(web, { states: ['rollback', 'online'] })],
    ['missing-instances', view(web, { states: ['online'] })],
    ['stopped', view(web, { stopped: true, states: ['errored'] })],
    ['errored', view(web, { states: ['rollback', 'errored'] })],
  ] as const;

  it.each(drifts)('no file change: start, reason %s', (reason, drifted) => {
    expect(plan([web], [drifted])).toEqual([{ type: 'start', app: 'web', spec: web, reason }]);
  });

  it.each(drifts)('file changed run (%s): the reload subsumes the drift', (_reason, drifted) => {
    const next = spec({ ...web, command: ['node', 'v2.js'] });
    expect(plan([next], [drifted])).toEqual([
      reloadOf(next, [{ field: 'run', before: ['node', 'app.js'], after: ['node', 'v2.js'] }], servingCount(drifted)),
    ]);
  });

  it.each(drifts)('file changed instances (%s): replaced, since a scale would not start it', (_reason, drifted) => {
    const next = spec({ ...web, instances: 3 });
    expect(plan([next], [drifted])).toEqual([reloadOf(next, [{ field: 'instances', before: 2, after: 3 }], servingCount(drifted))]);
  });

  it.each(drifts)('file changed a setting (%s): the start carries it', (reason, drifted) => {
    const next = spec({ ...web, restart: { maxRestarts: 3 } });
    expect(plan([next], [drifted])).toEqual([
      { type: 'start', app: 'web', spec: next, reason, changes: [{ field: 'restart.max_restarts', before: 10, after: 3 }] },
    ]);
  });

  it('a fork app drifted and resized: restart', () => {
    const next = spec({ ...api, instances: 2 });
    expect(plan([next], [view(api, { stopped: true, states: [] })])).toEqual([
      restartOf(next, [{ field: 'instances', before: 1, after: 2 }], 0),
    ]);
  });
});

describe('planActions: order', () => {
  const names = (want: readonly AppSpec[], have: readonly AppView[]) => plan(want, have).map((a) => `${a.type} ${a.app}`);

  it('dependencies before dependents, whatever the names', () => {
    const want = [
      spec({ name: 'web', dependsOn: ['api'] }),
      spec({ name: 'api', dependsOn: ['db'] }),
      spec({ name: 'db' }),
    ];
    expect(names(want, [])).toEqual(['create db', 'create api', 'create web']);
  });

  it('independent apps by name', () => {
    expect(names([spec({ name: 'c' }), spec({ name: 'a' }), spec({ name: 'b' })], [])).toEqual([
      'create a',
      'create b',
      'create c',
    ]);
  });

  it('ties among ready apps by name, at every step', () => {
    const want = [
      spec({ name: 'z' }),
      spec({ name: 'y', dependsOn: ['z'] }),
      spec({ name: 'b', dependsOn: ['z'] }),
      spec({ name: 'a' }),
    ];
    expect(names(want, [])).toEqual(['create a', 'create z', 'create b', 'create y']);
  });

  it('deletes first, dependents before their dependencies (by the running depends_on)', () => {
    const have = [
      view(spec({ name: 'db' })),
      view(spec({ name: 'api', dependsOn: ['db'] })),
      view(spec({ name: 'cache' })),
    ];
    expect(names([spec({ name: 'aaa' })], have)).toEqual(['delete api', 'delete cache', 'delete db', 'create aaa']);
  });

  it('every kind of action follows the dependency order', () => {
    const db = spec({ name: 'db', port: 5432 });
    const queue = spec({ name: 'queue', dependsOn: ['db'] });
    const app = spec({ name: 'app', dependsOn: ['queue', 'db'] });
    const want = [spec({ ...db, instances: 2 }), spec({ ...queue, restart: { maxRestarts: 1 } }), app];
    const have = [view(db), view(queue, { stopped: true, states: [] }), view(spec({ name: 'old' }))];
    expect(names(want, have)).toEqual(['delete old', 'scale db', 'start queue', 'create app']);
  });

  it('a cycle (which validation rejects) still yields every app once, deterministically', () => {
    const want = [spec({ name: 'b', dependsOn: ['a'] }), spec({ name: 'a', dependsOn: ['b'] }), spec({ name: 'c', dependsOn: ['a'] })];
    expect(names(want, [])).toEqual(['create a', 'create b', 'create c']);
  });

  it('a dependency on an app outside the file is ignored', () => {
    expect(names([spec({ name: 'b', dependsOn: ['ghost'] }), spec({ name: 'a' })], [])).toEqual(['create a', 'create b']);
  });

  it('the plan names the desired project', () => {
    expect(planActions(desired([], 'blog'), actual([])).project).toBe('blog');
  });
});
