// From a valid file to the DesiredState: defaults of SPEC §3, `defaults` merging, paths,
// environments, and the shape of the result (frozen, sorted, hashed).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEST_ENV, appOf, loadYaml } from './helpers.js';

describe('defaults of SPEC §3', () => {
  it('fills every default for a bare app', async () => {
    const { app, dir } = await appOf('version: 1\napps:\n  api:\n    run: node server.js\n', 'api');
    expect(app).toEqual({
      name: 'api',
      project: basename(dir),
      command: ['node', 'server.js'],
      shell: false,
      cwd: dir,
      instances: 1,
      mode: 'fork',
      port: undefined,
      protocol: 'tcp',
      env: {},
      baseEnv: { PATH: TEST_ENV.PATH, HOME: '/home/test' },
      envFile: undefined,
      restart: {
        policy: 'always',
        backoff: { initialMs: 100, maxMs: 30_000, factor: 2 },
        maxRestarts: 10,
        windowMs: 60_000,
        minUptimeMs: 1_000,
      },
      shutdown: { signal: 'SIGTERM', timeoutMs: 5_000 },
      ready: { type: 'none', path: '/', timeoutMs: 30_000, delayMs: 1_000 },
      reload: { maxSurge: 1, maxUnavailable: 0 },
      watch: undefined,
      dependsOn: [],
      maxMemoryBytes: undefined,
    });
  });

  it.each([
    ['fork with a port', 'mode: fork\n    port: 3000', 'tcp'],
    ['fork without a port', 'mode: fork', 'none'],
    ['cluster', 'mode: cluster', 'listening'],
    ['cluster with a port', 'mode: cluster\n    port: 3000', 'listening'],
    ['socket with a port', 'mode: socket\n    port: 3000', 'none'],
    ['explicit', 'port: 3000\n    ready: { type: http }', 'http'],
  ])('ready type: %s', async (_name, body, type) => {
    const { app } = await appOf(`version: 1\napps:\n  api:\n    run: node server.js\n    ${body}\n`, 'api');
    expect(app.ready.type).toBe(type);
  });

  it('converts durations, sizes and instances: max', async () => {
    const { app } = await appOf(
      `version: 1
apps:
  api:
    run: node server.js
    instances: max
    max_memory: 512M
    restart: { backoff: { initial: 1s, max: 1m, factor: 1.5 }, window: 2m, min_uptime: 500, max_restarts: 3, policy: on-failure }
    shutdown: { signal: SIGINT, timeout: 10s }
    ready: { timeout: 1m, delay: 0 }
    reload: { max_surge: 2, max_unavailable: 1 }
`,
      'api',
      { cpus: 6 },
    );
    expect(app.instances).toBe(6);
    expect(app.maxMemoryBytes).toBe(512 * 1024 * 1024);
    expect(app.restart).toEqual({
      policy: 'on-failure',
      backoff: { initialMs: 1_000, maxMs: 60_000, factor: 1.5 },
      maxRestarts: 3,
      windowMs: 120_000,
      minUptimeMs: 500,
    });
    expect(app.shutdown).toEqual({ signal: 'SIGINT', timeoutMs: 10_000 });
    expect(app.ready).toEqual({ type: 'none', path: '/', timeoutMs: 60_000, delayMs: 0 });
    expect(app.reload).toEqual({ maxSurge: 2, maxUnavailable: 1 });
  });
});

describe('defaults: deep merge, app wins', () => {
  const yaml = `version: 1
defaults:
  instances: 2
  env: { NODE_ENV: production, LOG: info }
  restart: { policy: on-failure, backoff: { initial: 1s, max: 10s } }
  depends_on: [db]
  watch: { debounce: 1s }
apps:
  api:
    run: node server.js
    env: { LOG: debug }
    restart: { backoff: { max: 20s } }
    depends_on: []
    watch: true
  db:
    run: postgres
    instances: 1
    depends_on: []
`;
  it('merges maps key by key and lets the app replace scalars and lists', async () => {
    const { app } = await appOf(yaml, 'api');
    expect(app.instances).toBe(2);
    expect(app.env).toEqual({ NODE_ENV: 'production', LOG: 'debug' });
    expect(app.restart.policy).toBe('on-failure');
    expect(app.restart.backoff).toEqual({ initialMs: 1_000, maxMs: 20_000, factor: 2 });
    expect(app.dependsOn).toEqual([]);
    // `watch: true` replaces the default map: a boolean is not merged into a map.
    expect(app.watch?.debounceMs).toBe(200);
    const { app: db } = await appOf(yaml, 'db');
    expect(db.instances).toBe(1);
  });
});

describe('run', () => {
  it.each([
    ['run: server.js --port 1', { command: ['node', 'server.js', '--port', '1'], shell: false }],
    ['run: [python, -m, http.server]', { command: ['python', '-m', 'http.server'], shell: false }],
    ["run: 'echo $HOME | tee out'\n    shell: true", { command: ['/bin/sh', '-c', 'echo $HOME | tee out'], shell: true }],
  ])('%s', async (body, expected) => {
    const { app } = await appOf(`version: 1\napps:\n  api:\n    ${body}\n`, 'api');
    expect({ command: app.command, shell: app.shell }).toEqual(expected);
  });
});

describe('paths and environment', () => {
  it('resolves cwd and env_file against the file, watch paths against the cwd', async () => {
    const { app, dir } = await appOf(
      `version: 1
apps:
  api:
    run: node server.js
    cwd: ./services/api
    env_file: config/api.env
    watch: { paths: [src, /abs/dir], ignore: ["**/*.log"] }
`,
      'api',
      { files: { 'services/api/server.js': '', 'config/api.env': 'A=1\n' } },
    );
    expect(app.cwd).toBe(join(dir, 'services/api'));
    expect(app.envFile).toBe(join(dir, 'config/api.env'));
    expect(app.watch).toEqual({ paths: [join(dir, 'services/api/src'), '/abs/dir'], ignore: ['**/*.log'], debounceMs: 200 });
  });

  it('watch: true watches the cwd, ignoring node_modules and .git', async () => {
    const { app, dir } = await appOf('version: 1\napps:\n  api:\n    run: node s.js\n    watch: true\n', 'api');
    expect(app.watch).toEqual({ paths: [dir], ignore: ['node_modules', '.git'], debounceMs: 200 });
  });

  it('layers env_file under env and stringifies numbers and booleans', async () => {
    const { app } = await appOf(
      'version: 1\napps:\n  api:\n    run: node s.js\n    env_file: .env\n    env: { B: 2, C: true, D: x }\n',
      'api',
      { files: { '.env': '# comment\nA=from-file\nB=from-file\nQ="quoted value"\n' } },
    );
    expect(app.env).toEqual({ A: 'from-file', B: '2', C: 'true', D: 'x', Q: 'quoted value' });
  });

  it('takes the base environment from the caller, plus inherit_env', async () => {
    const env = { PATH: TEST_ENV.PATH, HOME: '/h', USER: 'u', LANG: 'C', LC_ALL: 'C', TZ: 'UTC', TMPDIR: '/t', SECRET: 's', AWS_PROFILE: 'dev' };
    const { app } = await appOf('version: 1\napps:\n  api:\n    run: node s.js\n    inherit_env: [AWS_PROFILE, UNSET]\n', 'api', { env });
    expect(app.baseEnv).toEqual({ AWS_PROFILE: 'dev', HOME: '/h', LANG: 'C', LC_ALL: 'C', PATH: TEST_ENV.PATH, TMPDIR: '/t', TZ: 'UTC', USER: 'u' });
    expect(app.env).toEqual({});
  });
});

describe('the DesiredState', () => {
  const yaml = 'version: 1\nname: shop\napps:\n  web:\n    run: node web.js\n  api:\n    run: node api.js\n  db:\n    run: postgres\n';

  it('sorts apps by name, names the project, hashes the bytes and keeps the absolute path', async () => {
    const result = await loadYaml(yaml);
    if (!result.ok) throw new Error('invalid');
    const { desired } = result;
    const file = join(result.dir, 'ecosystem.yaml');
    expect(desired.apps.map((a) => a.name)).toEqual(['api', 'db', 'web']);
    expect(desired.project).toBe('shop');
    expect(desired.apps.every((a) => a.project === 'shop')).toBe(true);
    expect(desired.file).toBe(file);
    expect(desired.hash).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'));
  });

  it('is deeply frozen', async () => {
    const result = await loadYaml(yaml);
    if (!result.ok) throw new Error('invalid');
    const { desired } = result;
    expect(Object.isFrozen(desired)).toBe(true);
    expect(Object.isFrozen(desired.apps)).toBe(true);
    expect(Object.isFrozen(desired.apps[0]?.restart.backoff)).toBe(true);
    expect(Object.isFrozen(desired.apps[0]?.command)).toBe(true);
    expect(Object.isFrozen(desired.apps[0]?.env)).toBe(true);
  });

  it('is plain JSON: it survives a round trip', async () => {
    const result = await loadYaml(yaml);
    if (!result.ok) throw new Error('invalid');
    expect(JSON.parse(JSON.stringify(result.desired))).toEqual(JSON.parse(JSON.stringify(result.desired)));
  });

  it('allows an empty apps map (apply then deletes the project apps)', async () => {
    const result = await loadYaml('version: 1\napps: {}\n');
    expect(result.ok && result.desired.apps).toEqual([]);
  });

  it('ignores a UTF-8 byte order mark', async () => {
    const result = await loadYaml('\uFEFFversion: 1\napps: {}\n');
    expect(result.ok).toBe(true);
  });

  it('supports YAML anchors and merge keys', async () => {
    const { app } = await appOf(
      'version: 1\ndefaults:\n  env: &common { A: "1" }\napps:\n  api:\n    run: node s.js\n    env:\n      <<: *common\n      B: "2"\n',
      'api',
    );
    expect(app.env).toEqual({ A: '1', B: '2' });
  });
});
