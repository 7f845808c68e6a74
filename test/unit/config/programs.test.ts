// The script of `node <script>` (and of a cluster app) must exist, and the command must resolve
// on the instance's PATH or be an executable path (SPEC §9): errors at the `run` line, in the
// supervisor's words.
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../src/config/desired.js';
import { loadEcosystem } from '../../../src/config/load.js';
import { nodeScript } from '../../../src/config/node-script.js';
import { TEST_ENV, loadYaml } from './helpers.js';

const file = (apps: string): string => `version: 1\napps:\n${apps}`;

/** Errors with the temp project's path written `<dir>`; `exec` files get an execute bit. */
const errorsIn = async (
  apps: string,
  opts: { files?: Record<string, string>; exec?: string[]; env?: Record<string, string> } = {},
): Promise<string[]> => {
  const result = await loadYaml(file(apps), { files: opts.files ?? {}, env: { ...TEST_ENV, ...opts.env } });
  for (const f of opts.exec ?? []) chmodSync(join(result.dir, f), 0o755);
  // The facts were gathered before chmod: load again when modes matter.
  const final = opts.exec === undefined ? result : await reload(result.dir, opts.env);
  if (final.ok) return [];
  return final.errors.map((d) => formatDiagnostic({ ...d, file: 'ecosystem.yaml' }).replaceAll(result.dir, '<dir>'));
};

const reload = (dir: string, env: Record<string, string> | undefined) =>
  loadEcosystem(join(dir, 'ecosystem.yaml'), { env: { ...TEST_ENV, ...env }, cpus: 2 });

describe('the script must exist', () => {
  it.each([
    ['a typo', '  a:\n    run: node src/wrker.js\n', { files: { 'src/worker.js': '' } }, [
      'ecosystem.yaml:4:10: apps.a.run: script not found: src/wrker.js (resolved from cwd <dir>)',
    ]],
    ['resolved from the app cwd', '  a:\n    run: node server.js\n    cwd: svc\n', { files: { 'svc/.keep': '' } }, [
      'ecosystem.yaml:4:10: apps.a.run: script not found: server.js (resolved from cwd <dir>/svc)',
    ]],
    ['an absolute path names no cwd', '  a:\n    run: node /nonexistent/orch/x.js\n', {}, [
      'ecosystem.yaml:4:10: apps.a.run: script not found: /nonexistent/orch/x.js',
    ]],
    ['a script named directly', '  a:\n    run: tools/missing.mjs --flag\n', {}, [
      'ecosystem.yaml:4:10: apps.a.run: script not found: tools/missing.mjs (resolved from cwd <dir>)',
    ]],
    ['after node options', '  a:\n    run: [node, -r, ./trace.js, --inspect=0, srv.js]\n', {}, [
      'ecosystem.yaml:4:10: apps.a.run: script not found: srv.js (resolved from cwd <dir>)',
    ]],
    ['in cluster mode', '  a:\n    run: node lib/srv.js\n    mode: cluster\n    port: 3000\n', {}, [
      'ecosystem.yaml:4:10: apps.a.run: script not found: lib/srv.js (resolved from cwd <dir>)',
    ]],
    ['cluster mode with no script at all', '  a:\n    run: node --inspect\n    mode: cluster\n    port: 3000\n', {}, [
      'ecosystem.yaml:4:10: apps.a.run: mode cluster needs a script to run: node [options] <script> [args]',
    ]],
    ['found without its extension, as node finds it', '  a:\n    run: node server\n', { files: { 'server.js': '' } }, []],
    ['a directory with an index', '  a:\n    run: node lib\n', { files: { 'lib/index.js': '' } }, []],
    ['node -e runs no file', '  a:\n    run: [node, -e, "setInterval(() => {}, 1000)"]\n', {}, []],
    ['shell: true is not looked into', '  a:\n    run: node nosuch.js\n    shell: true\n', {}, []],
    ['a missing cwd is the one error', '  a:\n    run: node nosuch.js\n    cwd: nodir\n', {}, [
      'ecosystem.yaml:5:10: apps.a.cwd: must be an existing directory, "nodir" does not exist',
    ]],
  ])('%s', async (_name, apps, opts, expected) => {
    expect(await errorsIn(apps, opts)).toEqual(expected);
  });
});

describe('the command must resolve', () => {
  it.each([
    ['not on PATH', '  a:\n    run: nodee server.js\n', {}, ['ecosystem.yaml:4:10: apps.a.run: command not found: nodee']],
    ['an argv list', '  a:\n    run: [nodee, server.js]\n', {}, ['ecosystem.yaml:4:10: apps.a.run: command not found: nodee']],
    ['the same words in socket mode', '  a:\n    run: nosuch\n    mode: socket\n    port: 3000\n', {}, [
      'ecosystem.yaml:4:10: apps.a.run: command not found: nosuch',
    ]],
    ['a relative path', '  a:\n    run: ./bin/tool --flag\n', {}, ['ecosystem.yaml:4:10: apps.a.run: command not found: ./bin/tool']],
    ['a file without an execute bit', '  a:\n    run: ./tool\n', { files: { tool: '' } }, [
      'ecosystem.yaml:4:10: apps.a.run: permission denied: ./tool',
    ]],
    ['an executable path', '  a:\n    run: ./tool\n', { files: { tool: '' }, exec: ['tool'] }, []],
    ['the PATH set by env', '  a:\n    run: tool\n    env: { PATH: bin }\n', { files: { 'bin/tool': '' }, exec: ['bin/tool'] }, []],
    ['the PATH set by env_file', '  a:\n    run: tool\n    env_file: .env\n', { files: { 'bin/tool': '', '.env': 'PATH=./bin\n' }, exec: ['bin/tool'] }, []],
    ['without it, not found', '  a:\n    run: tool\n', { files: { 'bin/tool': '' }, exec: ['bin/tool'] }, [
      'ecosystem.yaml:4:10: apps.a.run: command not found: tool',
    ]],
    ['a cluster app that is not Node gets the mode error only', '  a:\n    run: nosuch\n    mode: cluster\n    port: 3000\n', {}, [
      "ecosystem.yaml:4:10: apps.a.run: mode cluster runs Node scripts only (node or a .js/.mjs/.cjs file), got 'nosuch'; use mode socket to share a port between instances of any other program",
    ]],
    ['an unusable env_file leaves PATH unknown', '  a:\n    run: tool\n    env_file: .nope\n', {}, [
      'ecosystem.yaml:5:15: apps.a.env_file: must be an existing file, ".nope" does not exist',
    ]],
  ])('%s', async (_name, apps, opts, expected) => {
    expect(await errorsIn(apps, opts)).toEqual(expected);
  });

  it('the same app, both wrong: both errors', async () => {
    expect(await errorsIn('  a:\n    run: [/nonexistent/node, nosuch.js]\n')).toEqual([
      'ecosystem.yaml:4:10: apps.a.run: command not found: /nonexistent/node',
      'ecosystem.yaml:4:10: apps.a.run: script not found: nosuch.js (resolved from cwd <dir>)',
    ]);
  });
});

describe('nodeScript', () => {
  it.each([
    [['server.js'], 'server.js'],
    [['--inspect', 'server.js', '--port', '1'], 'server.js'],
    [['-r', 'dotenv/config', 'server.js'], 'server.js'],
    [['--require=./a.js', 'b.js'], 'b.js'],
    [['--max-old-space-size', '512', 'app.js'], 'app.js'],
    [['--', '-weird.js'], '-weird.js'],
    [['-e', 'x'], undefined],
    [['--print=1'], undefined],
    [['-'], undefined],
    [['--test', 'a.test.js'], undefined],
    [[], undefined],
  ])('%j -> %s', (args, script) => {
    const r = nodeScript(args);
    expect(r.kind === 'script' ? r.script : undefined).toBe(script);
  });
});
