// Layer 2: what the schema cannot express (SPEC §3). Each error points at the value that is
// wrong; a value that comes from `defaults` is reported once, where it is written.
import { describe, expect, it } from 'vitest';
import { errorsOf } from './helpers.js';

const file = (apps: string): string => `version: 1\napps:\n${apps}`;

describe('ports', () => {
  it.each([
    [
      'two fork apps on one port: the later one is reported',
      '  a:\n    run: x\n    port: 80\n  b:\n    run: y\n    port: 80\n',
      ["ecosystem.yaml:8:11: apps.b.port: port 80 is already used by app 'a' (port 80)"],
    ],
    [
      'a fork range covering another app',
      '  a:\n    run: x\n    port: 3000\n    instances: 3\n  b:\n    run: y\n    mode: socket\n    port: 3002\n',
      ["ecosystem.yaml:10:11: apps.b.port: port 3002 is already used by app 'a' (ports 3000-3002: 3 instances in fork mode)"],
    ],
    [
      'a later fork range reaching an earlier app',
      '  a:\n    run: x\n    port: 3002\n  b:\n    run: y\n    port: 3000\n    instances: 4\n',
      ["ecosystem.yaml:8:11: apps.b.port: ports 3000-3003 (4 instances in fork mode) are already used by app 'a' (port 3002)"],
    ],
    ['adjacent ranges do not clash', '  a:\n    run: x\n    port: 3000\n    instances: 2\n  b:\n    run: y\n    port: 3002\n', []],
    [
      'cluster and socket apps take one port whatever their instances',
      '  a:\n    run: node x.js\n    mode: cluster\n    port: 3000\n    instances: 4\n  b:\n    run: y\n    port: 3001\n',
      [],
    ],
    ['fork ports past 65535', '  a:\n    run: x\n    port: 65535\n    instances: 2\n', ['ecosystem.yaml:5:11: apps.a.port: 2 fork-mode instances need ports 65535-65536, beyond 65535']],
  ])('%s', async (_name, apps, expected) => {
    expect(await errorsOf(file(apps))).toEqual(expected);
  });

  it('a port in defaults shared by apps is reported once, at defaults', async () => {
    const errors = await errorsOf('version: 1\ndefaults:\n  port: 80\napps:\n  a:\n    run: x\n  b:\n    run: y\n  c:\n    run: z\n');
    expect(errors).toEqual(["ecosystem.yaml:3:9: defaults.port: port 80 is already used by app 'a' (port 80)"]);
  });
});

describe('depends_on', () => {
  it.each([
    ['missing app', '  a:\n    run: x\n    depends_on: [b]\n', ["ecosystem.yaml:5:18: apps.a.depends_on.0: app 'b' is not defined in apps"]],
    [
      'missing app with a near name',
      '  api:\n    run: x\n    depends_on: [postgress]\n  postgres:\n    run: y\n',
      ["ecosystem.yaml:5:18: apps.api.depends_on.0: app 'postgress' is not defined in apps (did you mean 'postgres'?)"],
    ],
    ['self', '  a:\n    run: x\n    depends_on: [a]\n', ['ecosystem.yaml:5:18: apps.a.depends_on.0: depends_on forms a cycle: a -> a']],
    [
      'two-app cycle, reported once',
      '  a:\n    run: x\n    depends_on: [b]\n  b:\n    run: y\n    depends_on: [a]\n',
      ['ecosystem.yaml:8:18: apps.b.depends_on.0: depends_on forms a cycle: a -> b -> a'],
    ],
    [
      'two separate cycles',
      '  a:\n    run: x\n    depends_on: [b]\n  b:\n    run: x\n    depends_on: [a]\n  c:\n    run: x\n    depends_on: [d, a]\n  d:\n    run: x\n    depends_on: [c]\n',
      [
        'ecosystem.yaml:8:18: apps.b.depends_on.0: depends_on forms a cycle: a -> b -> a',
        'ecosystem.yaml:14:18: apps.d.depends_on.0: depends_on forms a cycle: c -> d -> c',
      ],
    ],
    ['a diamond is not a cycle', '  a:\n    run: x\n    depends_on: [b, c]\n  b:\n    run: x\n    depends_on: [d]\n  c:\n    run: x\n    depends_on: [d]\n  d:\n    run: x\n', []],
    [
      'an invalid app is not missing',
      '  a:\n    run: x\n    depends_on: [b]\n  b:\n    instances: -1\n',
      [
        "ecosystem.yaml:6:3: apps.b: missing required key 'run'",
        'ecosystem.yaml:7:16: apps.b.instances: must be an integer >= 0 or "max", got -1 (PM2\'s -1 means all CPUs but one: write "max" for one per CPU, or a count)',
      ],
    ],
  ])('%s', async (_name, apps, expected) => {
    expect(await errorsOf(file(apps))).toEqual(expected);
  });
});

describe('modes, readiness and limits', () => {
  const cluster = (run: string): string => `  a:\n    run: ${run}\n    mode: cluster\n`;
  it.each([
    ['cluster with node', cluster('node server.js'), []],
    ['cluster with a .mjs script', cluster('./dist/main.mjs --x'), []],
    ['cluster with an argv list', cluster('[/usr/bin/node, a.js]'), []],
    [
      'cluster with python',
      cluster('python app.py'),
      ["ecosystem.yaml:4:10: apps.a.run: mode cluster runs Node scripts only (node or a .js/.mjs/.cjs file), got 'python'; use mode socket to share a port between instances of any other program"],
    ],
    [
      'cluster with a shell',
      '  a:\n    run: node a.js\n    shell: true\n    mode: cluster\n',
      ["ecosystem.yaml:5:12: apps.a.shell: mode cluster forks a Node script directly and cannot use 'shell: true'"],
    ],
    ['socket without a port', '  a:\n    run: x\n    mode: socket\n', ['ecosystem.yaml:5:11: apps.a.mode: mode socket needs a port: orch binds it and hands it to every instance']],
    ['tcp readiness without a port', '  a:\n    run: x\n    ready: { type: tcp }\n', ['ecosystem.yaml:5:20: apps.a.ready.type: ready type "tcp" needs a port to probe']],
    ['listening readiness in socket mode', '  a:\n    run: x\n    mode: socket\n    port: 80\n    ready: { type: listening }\n', ['ecosystem.yaml:7:20: apps.a.ready.type: ready type "listening" needs mode cluster, got mode socket']],
    ['reload that can never progress', '  a:\n    run: x\n    reload: { max_surge: 0, max_unavailable: 0 }\n', ['ecosystem.yaml:5:26: apps.a.reload.max_surge: max_surge and max_unavailable cannot both be 0: a rolling reload could never replace an instance']],
    ['reload with max_unavailable only', '  a:\n    run: x\n    reload: { max_surge: 0, max_unavailable: 1 }\n', []],
    ['backoff initial above max', '  a:\n    run: x\n    restart: { backoff: { initial: 2m } }\n', ['ecosystem.yaml:5:36: apps.a.restart.backoff.initial: must not exceed backoff.max (30000ms), got 120000ms']],
    ['shell: true with a list', '  a:\n    run: [a, b]\n    shell: true\n', ["ecosystem.yaml:5:12: apps.a.shell: 'shell: true' needs 'run' to be a string, not a list"]],
    ['empty program in a list', '  a:\n    run: ["", b]\n', ['ecosystem.yaml:4:11: apps.a.run.0: must be a program name or path, got an empty string']],
    ['shell operator', '  a:\n    run: a | b\n', ["ecosystem.yaml:4:10: apps.a.run: the shell operator '|' needs a shell: set 'shell: true'"]],
  ])('%s', async (_name, apps, expected) => {
    expect(await errorsOf(file(apps))).toEqual(expected);
  });
});

describe('paths on disk', () => {
  it.each([
    ['missing cwd', '  a:\n    run: x\n    cwd: ./nope\n', {}, ['ecosystem.yaml:5:10: apps.a.cwd: must be an existing directory, "./nope" does not exist']],
    ['cwd that is a file', '  a:\n    run: x\n    cwd: ./f\n', { f: '' }, ['ecosystem.yaml:5:10: apps.a.cwd: must be an existing directory, "./f" is a file']],
    ['missing env_file', '  a:\n    run: x\n    env_file: .env\n', {}, ['ecosystem.yaml:5:15: apps.a.env_file: must be an existing file, ".env" does not exist']],
    ['env_file that is a directory', '  a:\n    run: x\n    env_file: conf\n', { 'conf/x': '' }, ['ecosystem.yaml:5:15: apps.a.env_file: must be an existing file, "conf" is a directory']],
    ['existing paths', '  a:\n    run: x\n    cwd: app\n    env_file: app/.env\n', { 'app/.env': 'A=1' }, []],
  ])('%s', async (_name, apps, files, expected) => {
    expect(await errorsOf(file(apps), { files })).toEqual(expected);
  });

  it('a missing cwd in defaults is reported once, at defaults', async () => {
    expect(await errorsOf('version: 1\ndefaults:\n  cwd: gone\napps:\n  a:\n    run: x\n  b:\n    run: y\n')).toEqual([
      'ecosystem.yaml:3:8: defaults.cwd: must be an existing directory, "gone" does not exist',
    ]);
  });

  it('reports schema and semantic errors together', async () => {
    const errors = await errorsOf(file('  a:\n    run: x\n    port: 80\n    mode: nope\n  b:\n    run: y\n    port: 81\n    cwd: gone\n  c:\n    run: z\n    port: 81\n'));
    expect(errors).toEqual([
      'ecosystem.yaml:6:11: apps.a.mode: must be one of "fork", "cluster", "socket", got "nope"',
      'ecosystem.yaml:10:10: apps.b.cwd: must be an existing directory, "gone" does not exist',
      "ecosystem.yaml:13:11: apps.c.port: port 81 is already used by app 'b' (port 81)",
    ]);
  });
});
