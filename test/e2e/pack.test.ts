// The package as a user gets it (SPEC §11): `npm pack`, `npm install -g` of the tarball into a
// temporary prefix, then the installed `orch` run from a directory outside the repository, on an
// app that did `npm install orch` itself and imports `orch/worker` from its own node_modules.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, httpGet } from '../helpers/ports.js';
import { killProcessesUnder, repoRoot } from '../helpers/sandbox.js';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const dir = realpathSync(mkdtempSync(join(tmpdir(), 'orch-pack-')));
const prefix = join(dir, 'prefix');
const appDir = join(dir, 'my-app');
const home = join(dir, 'home');

// WARNING: under `npm test` the environment carries npm_config_* (prefix, cache mode, …) of the
// outer npm; the inner npm and orch must see a plain user's environment.
const cleanEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && k !== 'FORCE_COLOR') env[k] = v;
  return { ...env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, ORCH_HOME: home, NO_COLOR: '1' };
};

const run = (file: string, args: readonly string[], cwd: string, timeout = 60_000): Promise<Run> =>
  new Promise((resolve) => {
    execFile(file, args, { cwd, env: cleanEnv(), timeout }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
const npm = (args: readonly string[], cwd: string): Promise<Run> =>
  run('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], cwd, 120_000);
const orch = (args: readonly string[]): Promise<Run> => run(join(prefix, 'bin/orch'), args, appDir);

let tarball = '';
beforeAll(async () => {
  const packed = await npm(['pack', '--pack-destination', dir], repoRoot);
  expect(packed.code, packed.stderr).toBe(0);
  tarball = join(dir, readdirSync(dir).find((f) => /^orch-.*\.tgz$/.test(f)) ?? 'missing.tgz');
  const global = await npm(['install', '-g', '--prefix', prefix, tarball], dir);
  expect(global.code, global.stderr).toBe(0);
  // The app, as its author writes it: its own package.json, `npm install orch`.
  mkdirSync(appDir, { recursive: true });
  writeFileSync(join(appDir, 'package.json'), JSON.stringify({ name: 'my-app', private: true, type: 'module' }));
  const local = await npm(['install', tarball], appDir);
  expect(local.code, local.stderr).toBe(0);
}, 150_000);

afterAll(async () => {
  await orch(['daemon', 'stop']).catch(() => undefined);
  killProcessesUnder(dir);
  rmSync(dir, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('ships dist/, bin/, the schema and the README, and not the sources', async () => {
    const listed = await run('tar', ['tzf', tarball], dir);
    const files = listed.stdout.split('\n').filter(Boolean);
    for (const f of ['package/bin/orch.cjs', 'package/dist/cli.cjs', 'package/dist/daemon.js', 'package/dist/cluster-primary.js',
      'package/dist/worker.js', 'package/dist/worker.d.ts', 'package/schemas/ecosystem.schema.json', 'package/README.md']) {
      expect(files).toContain(f);
    }
    expect(files.filter((f) => /^package\/(src|test|scripts|bench)\//.test(f))).toEqual([]);
  });

  it('installed globally, runs apply, status and down of a cluster app that imports orch/worker from its own node_modules', async () => {
    const port = await freePort();
    writeFileSync(
      join(appDir, 'server.js'),
      [
        "import { createServer } from 'node:http';",
        "import { ready } from 'orch/worker';",
        "const where = import.meta.resolve('orch/worker');",
        "createServer((req, res) => res.end(JSON.stringify({ where, ready: typeof ready }))).listen(Number(process.env.PORT));",
      ].join('\n'),
    );
    writeFileSync(
      join(appDir, 'ecosystem.yaml'),
      `# yaml-language-server: $schema=./node_modules/orch/schemas/ecosystem.schema.json\nversion: 1\napps:\n  web:\n    run: node server.js\n    mode: cluster\n    instances: 2\n    port: ${port}\n`,
    );
    expect((await orch(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const applied = await orch(['apply']);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);

    const status = await orch(['status', '--output', 'json']);
    expect(status.code, status.stderr).toBe(0);
    const apps = (JSON.parse(status.stdout) as { apps: { name: string; project: string; instances: { state: string }[] }[] }).apps;
    expect(apps.map((a) => [a.name, a.project, a.instances.map((i) => i.state)])).toEqual([['web', 'my-app', ['online', 'online']]]);

    const { body } = await httpGet(port);
    const answer = JSON.parse(body) as { where: string; ready: string };
    expect(answer.ready).toBe('function');
    // The app's own copy, not the repository's dist/.
    expect(answer.where).toBe(`file://${join(appDir, 'node_modules/orch/dist/worker.js')}`);

    const down = await orch(['down']);
    expect(down.code, down.stdout + down.stderr).toBe(0);
    const after = await orch(['status', '--output', 'json']);
    expect((JSON.parse(after.stdout) as { apps: unknown[] }).apps).toEqual([]);
  });
});
