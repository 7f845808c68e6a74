// Layer 1 (the JSON Schema): every kind of schema error, its position and its message.
import { describe, expect, it } from 'vitest';
import { errorsOf } from './helpers.js';

const app = (body: string): string => `version: 1\napps:\n  api:\n    run: node server.js\n${body}`;

describe('schema errors', () => {
  it.each([
    ['unknown top-level key', 'version: 1\napps: {}\ndefualts: {}\n', ["ecosystem.yaml:3:1: defualts: unknown key 'defualts' (did you mean 'defaults'?)"]],
    ['unknown key, no close match', app('    colour: red\n'), ["ecosystem.yaml:5:5: apps.api.colour: unknown key 'colour'"]],
    ['unknown key, wrong case', app('    Port: 80\n'), ["ecosystem.yaml:5:5: apps.api.Port: unknown key 'Port' (did you mean 'port'?)"]],
    ['unknown key, swapped letters', app('    evn: {}\n'), ["ecosystem.yaml:5:5: apps.api.evn: unknown key 'evn' (did you mean 'env'?)"]],
    ['unknown nested key', app('    ready: { tyep: http }\n'), ["ecosystem.yaml:5:14: apps.api.ready.tyep: unknown key 'tyep' (did you mean 'type'?)"]],
    ['missing run', 'version: 1\napps:\n  api:\n    port: 80\n', ["ecosystem.yaml:3:3: apps.api: missing required key 'run'"]],
    ['missing apps', 'version: 1\n', ["ecosystem.yaml:1:1: missing required key 'apps'"]],
    ['version 2', 'version: 2\napps: {}\n', ['ecosystem.yaml:1:10: version: must be 1, got 2']],
    ['instances -1', app('    instances: -1\n'), ['ecosystem.yaml:5:16: apps.api.instances: must be an integer >= 0 or "max", got -1 (PM2\'s -1 means all CPUs but one: write "max" for one per CPU, or a count)']],
    ['instances 1.5', app('    instances: 1.5\n'), ['ecosystem.yaml:5:16: apps.api.instances: must be an integer >= 0 or "max", got 1.5']],
    ['instances "all"', app('    instances: all\n'), ['ecosystem.yaml:5:16: apps.api.instances: must be an integer >= 0 or "max", got "all"']],
    ['mode', app('    mode: pool\n'), ['ecosystem.yaml:5:11: apps.api.mode: must be one of "fork", "cluster", "socket", got "pool"']],
    ['port 0', app('    port: 0\n'), ['ecosystem.yaml:5:11: apps.api.port: must be an integer between 1 and 65535, got 0']],
    ['port map', app('    port: { a: 1 }\n'), ['ecosystem.yaml:5:11: apps.api.port: must be an integer between 1 and 65535, got a map']],
    ['run number', 'version: 1\napps:\n  api:\n    run: 42\n', ['ecosystem.yaml:4:10: apps.api.run: must be a command string or a non-empty list of strings, got 42']],
    ['run list of numbers', 'version: 1\napps:\n  api:\n    run: [node, 1]\n', ['ecosystem.yaml:4:17: apps.api.run.1: must be a string, got 1']],
    ['duration', app('    shutdown: { timeout: 10 sec }\n'), ['ecosystem.yaml:5:26: apps.api.shutdown.timeout: must be a duration like "500ms", "5s", "2m" or "1h", or an integer of milliseconds, got "10 sec"']],
    ['negative duration', app('    ready: { delay: -5 }\n'), ['ecosystem.yaml:5:21: apps.api.ready.delay: must be a duration like "500ms", "5s", "2m" or "1h", or an integer of milliseconds, got -5']],
    ['size', app('    max_memory: 1.5G\n'), ['ecosystem.yaml:5:17: apps.api.max_memory: must be a size like "512M" (a number of bytes with an optional K, M or G), or an integer of bytes, got "1.5G"']],
    ['signal', app('    shutdown: { signal: SIGFOO }\n'), ['ecosystem.yaml:5:25: apps.api.shutdown.signal: must be one of "SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGWINCH", "SIGABRT", "SIGALRM", "SIGKILL", got "SIGFOO"']],
    ['factor', app('    restart: { backoff: { factor: 0.5 } }\n'), ['ecosystem.yaml:5:35: apps.api.restart.backoff.factor: must be a number >= 1, got 0.5']],
    ['watch string', app('    watch: src\n'), ['ecosystem.yaml:5:12: apps.api.watch: must be true, false or a map with paths, ignore and debounce, got "src"']],
    ['watch unknown key', app('    watch: { pahts: [src] }\n'), ["ecosystem.yaml:5:14: apps.api.watch.pahts: unknown key 'pahts' (did you mean 'paths'?)"]],
    ['env list', app('    env: [A=1]\n'), ['ecosystem.yaml:5:10: apps.api.env: must be a map, got a list']],
    ['env empty value', app('    env:\n      A:\n'), ['ecosystem.yaml:6:7: apps.api.env.A: must be a string, a number or a boolean, got an empty value']],
    ['restart not a map', app('    restart: always\n'), ['ecosystem.yaml:5:14: apps.api.restart: must be a map, got "always"']],
    ['app not a map', 'version: 1\napps:\n  api: node server.js\n', ['ecosystem.yaml:3:8: apps.api: must be a map, got "node server.js"']],
    ['app name', 'version: 1\napps:\n  -api:\n    run: x\n', ['ecosystem.yaml:3:3: apps.-api: invalid app name \'-api\': expected a lowercase letter or digit followed by up to 62 lowercase letters, digits, ".", "_" or "-"']],
    ['app name too long', `version: 1\napps:\n  ${'a'.repeat(64)}:\n    run: x\n`, [`ecosystem.yaml:3:3: apps.${'a'.repeat(64)}: invalid app name '${'a'.repeat(64)}': expected a lowercase letter or digit followed by up to 62 lowercase letters, digits, ".", "_" or "-"`]],
    ['env name with =', app('    env: { "A=B": x }\n'), ['ecosystem.yaml:5:12: apps.api.env.A=B: invalid key \'A=B\': expected a name without "="']],
    ['depends_on not a list', app('    depends_on: db\n'), ['ecosystem.yaml:5:17: apps.api.depends_on: must be a list, got "db"']],
    ['defaults run optional, unknown key', 'version: 1\ndefaults:\n  instnces: 2\napps: {}\n', ["ecosystem.yaml:3:3: defaults.instnces: unknown key 'instnces' (did you mean 'instances'?)"]],
    ['empty value points at its key', app('    port:\n'), ['ecosystem.yaml:5:5: apps.api.port: must be an integer between 1 and 65535, got an empty value']],
  ])('%s', async (_name, yaml, expected) => {
    expect(await errorsOf(yaml)).toEqual(expected);
  });

  it('reports every error at once, sorted by line then column', async () => {
    const errors = await errorsOf(app('    mode: x\n    instances: y\n  web:\n    port: 0\n'));
    expect(errors).toEqual([
      'ecosystem.yaml:5:11: apps.api.mode: must be one of "fork", "cluster", "socket", got "x"',
      'ecosystem.yaml:6:16: apps.api.instances: must be an integer >= 0 or "max", got "y"',
      "ecosystem.yaml:7:3: apps.web: missing required key 'run'",
      'ecosystem.yaml:8:11: apps.web.port: must be an integer between 1 and 65535, got 0',
    ]);
  });

  it('accepts every key of SPEC §3', async () => {
    const spec = `version: 1
name: shop
defaults:
  shutdown: { timeout: 5s }
apps:
  api:
    run: node server.js
    cwd: ./services/api
    instances: 4
    mode: cluster
    port: 8080
    env: { NODE_ENV: production }
    env_file: .env
    inherit_env: [AWS_PROFILE]
    restart:
      policy: always
      backoff: { initial: 100ms, max: 30s, factor: 2 }
      max_restarts: 10
      window: 60s
      min_uptime: 1s
    shutdown:
      signal: SIGTERM
      timeout: 5s
    ready:
      type: listening
      path: /healthz
      timeout: 30s
      delay: 1s
    reload:
      max_surge: 1
      max_unavailable: 0
    watch:
      paths: [src]
      ignore: [node_modules, "**/*.log"]
      debounce: 200ms
    depends_on: [db]
    max_memory: 512M
  db:
    run: [postgres, -D, ./data]
    shell: false
`;
    expect(await errorsOf(spec, { files: { 'services/api/server.js': '', '.env': 'A=1\n' } })).toEqual([]);
  });
});

describe('YAML errors', () => {
  it.each([
    ['syntax', 'version: 1\napps:\n  api: [\n', /^ecosystem\.yaml:\d+:\d+: YAML syntax error: /],
    ['tab indentation', 'version: 1\napps:\n\tapi: {}\n', /^ecosystem\.yaml:3:1: YAML syntax error: /],
    ['multiple documents', 'version: 1\napps: {}\n---\nversion: 1\n', /^ecosystem\.yaml:3:1: YAML syntax error: the file must hold one document/],
  ])('%s', async (_name, yaml, pattern) => {
    const errors = await errorsOf(yaml);
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) expect(e).toMatch(pattern);
  });

  it('names a duplicate key and its first definition', async () => {
    expect(await errorsOf('version: 1\napps:\n  api:\n    run: a\n    run: b\n')).toEqual([
      "ecosystem.yaml:5:5: apps.api.run: duplicate key 'run' (first defined at line 4)",
    ]);
  });

  it('reports an alias bomb instead of expanding it', async () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
    const errors = await errorsOf(`${lines.join('\n')}\n`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^ecosystem\.yaml:1:1: YAML error: /);
  });

  it.each([
    ['empty', ''],
    ['comments only', '# yaml-language-server: $schema=x\n'],
  ])('an %s file is one error at 1:1', async (_name, yaml) => {
    const errors = await errorsOf(yaml);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^ecosystem\.yaml:1:1: the file is empty/);
  });

  it('a root that is not a map', async () => {
    expect(await errorsOf('just text\n')).toEqual(['ecosystem.yaml:1:1: must be a map, got "just text"']);
  });
});
