import { describe, expect, it } from 'vitest';
import { formatArgv } from '../../../src/reconcile/format.js';
import { formatBytes, formatDuration } from '../../../src/units.js';
import { planToJson, renderPlan, summarizePlan } from '../../../src/reconcile/render.js';
import type { Plan } from '../../../src/reconcile/types.js';
import { spec } from './builders.js';

const secretEnv = { API_KEY: 'sk-live-123', DB_PASSWORD: 'hunter2' };

const api = spec({ name: 'api', instances: 4, port: 8080, baseEnv: { HOME: '/home/secret-home' } });
const web = spec({ name: 'web', mode: 'cluster', port: 3000, instances: 2, command: ['node', 'b.js'], env: secretEnv });
const worker = spec({ name: 'worker', instances: 2 });
const cache = spec({ name: 'cache', instances: 4, mode: 'cluster', port: 6000 });
const jobs = spec({ name: 'jobs', restart: { maxRestarts: 5 } });
const mail = spec({ name: 'mail' });

const full: Plan = {
  project: 'shop',
  refusals: [],
  actions: [
    { type: 'delete', app: 'old', instances: 1, running: 1, after: [] },
    { type: 'create', app: 'api', spec: api },
    {
      type: 'reload',
      app: 'web',
      spec: web,
      instances: 2,
      running: 2,
      changes: [
        { field: 'env.API_KEY', before: 'sk-test-000', after: 'sk-live-123', secret: true },
        { field: 'env.DB_PASSWORD', before: undefined, after: 'hunter2', secret: true },
        { field: 'env.OLD', before: 'gone-value', after: undefined, secret: true },
        { field: 'run', before: ['node', 'a.js'], after: ['node', 'b.js'] },
      ],
    },
    {
      type: 'restart',
      app: 'worker',
      spec: worker,
      instances: 2,
      running: 2,
      changes: [{ field: 'cwd', before: '/srv/a', after: '/srv/my app' }],
    },
    { type: 'scale', app: 'cache', spec: cache, from: 2, to: 4, changes: [{ field: 'instances', before: 2, after: 4 }] },
    {
      type: 'update',
      app: 'jobs',
      spec: jobs,
      changes: [
        { field: 'max_memory', before: undefined, after: 512 * 1024 * 1024 },
        { field: 'restart.backoff.initial', before: 100, after: 1_500 },
        { field: 'restart.max_restarts', before: 10, after: 5 },
        { field: 'shutdown.timeout', before: 5_000, after: 120_000 },
      ],
    },
    { type: 'start', app: 'mail', spec: mail, reason: 'stopped' },
  ],
};

const expectedText = [
  'Project "shop": orch will perform these actions, in this order:',
  '',
  '- old            delete, stops 1 instance — interrupts service',
  '+ api            create, 4 instances (fork, ports 8080-8083), no interruption',
  '~ web            reload 2 instances, no interruption (rolling, shared port 3000)',
  '    env.API_KEY: changed (value hidden)',
  '    env.DB_PASSWORD: added (value hidden)',
  '    env.OLD: removed',
  '    run: node a.js → node b.js',
  '~ worker         restart 2 instances — interrupts service',
  "    cwd: /srv/a → /srv/my app",
  '~ cache          scale 2 → 4, no interruption',
  '~ jobs           update in place, no interruption',
  '    max_memory: none → 512M',
  '    restart.backoff.initial: 100ms → 1500ms',
  '    restart.max_restarts: 10 → 5',
  '    shutdown.timeout: 5s → 2m',
  '~ mail           start 1 instance (was stopped), no interruption',
  '',
  'Plan: 1 to create, 5 to change, 1 to delete.',
].join('\n');

describe('renderPlan', () => {
  it('renders every kind of action, Terraform-like, without colour', () => {
    expect(renderPlan(full, { color: false })).toBe(expectedText);
  });
});

describe('renderPlan: each line', () => {
  const line = (plan: Plan) => renderPlan(plan, { color: false }).split('\n')[2];
  const one = (action: Plan['actions'][number]): Plan => ({ project: 'shop', refusals: [], actions: [action] });

  it.each([
    ['create, cluster', one({ type: 'create', app: 'c', spec: spec({ name: 'c', mode: 'cluster', port: 3000, instances: 2 }) }),
      '+ c              create, 2 instances (cluster, shared port 3000), no interruption'],
    ['create, fork, one port', one({ type: 'create', app: 'f', spec: spec({ name: 'f', port: 8080 }) }),
      '+ f              create, 1 instance (fork, port 8080), no interruption'],
    ['create, no port', one({ type: 'create', app: 'w', spec: spec({ name: 'w', instances: 0 }) }),
      '+ w              create, 0 instances (fork), no interruption'],
    ['delete, plural', one({ type: 'delete', app: 'd', instances: 3, running: 3, after: [] }),
      '- d              delete, stops 3 instances — interrupts service'],
    ['scale down, fork with ports', one({ type: 'scale', app: 's', spec: spec({ name: 's', port: 8080, instances: 1 }), from: 4, to: 1 }),
      '~ s              scale 4 → 1, stops instances 1-3 (ports 8081-8083) — interrupts service'],
    ['scale down by one, fork with ports', one({ type: 'scale', app: 's', spec: spec({ name: 's', port: 8080, instances: 2 }), from: 3, to: 2 }),
      '~ s              scale 3 → 2, stops instance 2 (port 8082) — interrupts service'],
    ['scale down, cluster', one({ type: 'scale', app: 's', spec: spec({ name: 's', mode: 'cluster', port: 3000 }), from: 4, to: 1 }),
      '~ s              scale 4 → 1, no interruption'],
    ['scale down, fork without port', one({ type: 'scale', app: 's', spec: spec({ name: 's' }), from: 2, to: 1 }),
      '~ s              scale 2 → 1, no interruption'],
    ['start, errored', one({ type: 'start', app: 'e', spec: spec({ name: 'e', instances: 2 }), reason: 'errored' }),
      '~ e              start 2 instances (errored instances), no interruption'],
    ['start, rollback', one({ type: 'start', app: 'r', spec: spec({ name: 'r' }), reason: 'rollback' }),
      '~ r              start 1 instance (rolled back), no interruption'],
    ['start, missing', one({ type: 'start', app: 'm', spec: spec({ name: 'm' }), reason: 'missing-instances' }),
      '~ m              start 1 instance (instances missing), no interruption'],
    ['a long name widens the column', one({ type: 'delete', app: 'a-very-long-app-name', instances: 1, running: 1, after: [] }),
      '- a-very-long-app-name delete, stops 1 instance — interrupts service'],
  ] as const)('%s', (_name, plan, expected) => {
    expect(line(plan)).toBe(expected);
  });

  it('lists changes under a start and a scale, but not the scale\'s own instance count', () => {
    const s = spec({ name: 's', instances: 3 });
    const text = renderPlan(
      one({
        type: 'scale',
        app: 's',
        spec: s,
        from: 2,
        to: 3,
        changes: [
          { field: 'depends_on', before: [], after: ['db', 'queue'] },
          { field: 'instances', before: 2, after: 3 },
          { field: 'run', before: ['sh', '-c', "echo 'hi' there"], after: ['node', 'x.js'] },
        ],
      }),
      { color: false },
    );
    expect(text.split('\n').slice(3, -2)).toEqual([
      '    depends_on: [] → [db, queue]',
      `    run: sh -c 'echo '\\''hi'\\'' there' → node x.js`,
    ]);
  });

  it('an empty plan says so', () => {
    expect(renderPlan({ project: 'shop', refusals: [], actions: [] }, { color: false })).toBe('No changes. Project "shop" matches the file.');
    expect(renderPlan({ project: 'shop', refusals: [], actions: [] }, { color: true })).toBe('No changes. Project "shop" matches the file.');
  });
});

describe('renderPlan: colour', () => {
  it('colours the symbols green, yellow and red only when asked', () => {
    const coloured = renderPlan(full, { color: true }).split('\n');
    expect(coloured[2]).toBe('\x1b[31m-\x1b[0m old            delete, stops 1 instance — interrupts service');
    expect(coloured[3]).toBe('\x1b[32m+\x1b[0m api            create, 4 instances (fork, ports 8080-8083), no interruption');
    expect(coloured[4]).toBe('\x1b[33m~\x1b[0m web            reload 2 instances, no interruption (rolling, shared port 3000)');
    // Without the escapes it is the plain rendering.
    const escapes = ['\x1b[31m', '\x1b[32m', '\x1b[33m', '\x1b[0m'];
    expect(escapes.reduce((text, e) => text.replaceAll(e, ''), renderPlan(full, { color: true }))).toBe(expectedText);
    expect(renderPlan(full, { color: false })).not.toContain('\x1b');
  });
});

describe('secrets', () => {
  const secrets = ['sk-live-123', 'sk-test-000', 'hunter2', 'gone-value', 'secret-home'];

  it.each([
    ['text', () => renderPlan(full, { color: false })],
    ['coloured text', () => renderPlan(full, { color: true })],
    ['json', () => JSON.stringify(planToJson(full))],
  ])('%s never shows an env value or the base environment', (_name, render) => {
    const out = render();
    for (const s of secrets) expect(out).not.toContain(s);
  });
});

describe('planToJson', () => {
  it('has the documented shape', () => {
    expect(planToJson(full)).toEqual({
      project: 'shop',
      changes: true,
      summary: { create: 1, change: 5, delete: 1 },
      refusals: [],
      actions: [
        { type: 'delete', app: 'old', interrupts: true, instances: 1, changes: [] },
        { type: 'create', app: 'api', interrupts: false, instances: 4, mode: 'fork', port: 8080, changes: [] },
        {
          type: 'reload',
          app: 'web',
          interrupts: false,
          instances: 2,
          changes: [
            { field: 'env.API_KEY', before: '(hidden)', after: '(hidden)' },
            { field: 'env.DB_PASSWORD', before: null, after: '(hidden)' },
            { field: 'env.OLD', before: '(hidden)', after: null },
            { field: 'run', before: ['node', 'a.js'], after: ['node', 'b.js'] },
          ],
        },
        {
          type: 'restart',
          app: 'worker',
          interrupts: true,
          instances: 2,
          changes: [{ field: 'cwd', before: '/srv/a', after: '/srv/my app' }],
        },
        { type: 'scale', app: 'cache', interrupts: false, from: 2, to: 4, changes: [{ field: 'instances', before: 2, after: 4 }] },
        {
          type: 'update',
          app: 'jobs',
          interrupts: false,
          changes: [
            { field: 'max_memory', before: null, after: 536870912 },
            { field: 'restart.backoff.initial', before: 100, after: 1500 },
            { field: 'restart.max_restarts', before: 10, after: 5 },
            { field: 'shutdown.timeout', before: 5000, after: 120000 },
          ],
        },
        { type: 'start', app: 'mail', interrupts: false, reason: 'stopped', instances: 1, changes: [] },
      ],
    });
  });

  it('round-trips through JSON.stringify unchanged (plain JSON, no undefined)', () => {
    const json = planToJson(full);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });

  it('an empty plan', () => {
    expect(planToJson({ project: 'shop', refusals: [], actions: [] })).toEqual({
      project: 'shop',
      changes: false,
      summary: { create: 0, change: 0, delete: 0 },
      actions: [],
      refusals: [],
    });
  });

  it('a create without a port has port null', () => {
    const json = planToJson({ project: 'p', refusals: [], actions: [{ type: 'create', app: 'w', spec: spec({ name: 'w' }) }] });
    expect(json.actions[0]).toEqual({ type: 'create', app: 'w', interrupts: false, instances: 1, mode: 'fork', port: null, changes: [] });
  });
});

describe('summarizePlan', () => {
  it('counts every non-create, non-delete action as a change', () => {
    expect(summarizePlan(full)).toEqual({ create: 1, change: 5, delete: 1 });
    expect(summarizePlan({ project: 'p', refusals: [], actions: [] })).toEqual({ create: 0, change: 0, delete: 0 });
  });
});

describe('value formats', () => {
  it.each([
    [0, '0ms'],
    [250, '250ms'],
    [1_000, '1s'],
    [1_500, '1500ms'],
    [90_000, '90s'],
    [120_000, '2m'],
    [7_200_000, '2h'],
  ])('duration %d → %s', (ms, text) => expect(formatDuration(ms)).toBe(text));

  it.each([
    [0, '0'],
    [1000, '1000'],
    [1024, '1K'],
    [512 * 1024 ** 2, '512M'],
    [2 * 1024 ** 3, '2G'],
    [1536 * 1024, '1536K'],
  ])('size %d → %s', (bytes, text) => expect(formatBytes(bytes)).toBe(text));

  it.each([
    [['node', 'server.js', '--port=80'], 'node server.js --port=80'],
    [['/bin/sh', '-c', 'npm start'], "/bin/sh -c 'npm start'"],
    [['echo', ''], "echo ''"],
    [['echo', "it's"], `echo 'it'\\''s'`],
  ])('argv %j → %s', (argv, text) => expect(formatArgv(argv)).toBe(text));
});

describe('renderPlan: UDP ports', () => {
  it('writes /udp after a datagram port, and nothing after TCP', () => {
    const udp = spec({ name: 'dns', mode: 'socket', port: 5353, instances: 2, protocol: 'udp' });
    const text = renderPlan({ project: 'shop', refusals: [], actions: [{ type: 'create', app: 'dns', spec: udp }] }, { color: false });
    expect(text).toContain('create, 2 instances (socket, shared port 5353/udp), no interruption');
    const tcp = spec({ name: 'web', mode: 'socket', port: 8080 });
    expect(renderPlan({ project: 'shop', refusals: [], actions: [{ type: 'create', app: 'web', spec: tcp }] }, { color: false })).toContain('shared port 8080)');
  });
});
