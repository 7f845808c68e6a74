// PM2 as the oracle for `orch import pm2` (SPEC §11): the PM2 files of test/fixtures/pm2 are
// started by PM2 itself (its own PM2_HOME), read back with `pm2 jlist`, then imported, applied
// by orch and compared: app names, instance counts, modes, commands (script + args + node
// args), cwd and the declared environment. The apps report how they were started (report.cjs).
import { execFile } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports.js';
import { createSandbox, repoRoot, type Sandbox } from '../helpers/sandbox.js';
import { waitFor } from '../helpers/wait-for.js';

const pm2Bin = join(repoRoot, 'node_modules/.bin/pm2');
const FILES = ['cluster-and-fork.config.cjs', 'workers.json', 'implicit-cluster.yaml'];

interface Pm2Proc {
  name: string;
  pm2_env: { exec_mode: string; status: string; pm_exec_path: string; args?: string[]; node_args?: string[]; pm_cwd: string; env: Record<string, unknown> };
}
interface Report {
  runner: 'pm2' | 'orch';
  app: string;
  argv: string[];
  execArgv: string[];
  cwd: string;
  env: Record<string, string>;
}
/** What both worlds must agree on, per app. */
interface Started {
  instances: number;
  mode: string;
  command: string[];
  cwd: string;
  env: Record<string, string>;
}

let sb: Sandbox;
let port = 0;
const pm2Env = (): NodeJS.ProcessEnv => ({ ...sb.env, PM2_HOME: join(sb.dir, 'pm2-home'), ORACLE_PORT: String(port) });
const pm2 = (args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((done) => {
    execFile(pm2Bin, args, { cwd: sb.dir, env: pm2Env(), timeout: 30_000 }, (err, stdout, stderr) =>
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });

/** The keys each app declares in the PM2 files (env, then env_production over it). */
const declared: Record<string, string[]> = {
  web: ['GREETING', 'LEVEL', 'EXTRA'],
  forked: ['ROLE'],
  py: ['ROLE', 'PYTHONUNBUFFERED'],
  'json-worker': ['COUNT', 'FLAG'],
  'yaml-worker': ['KIND'],
};
const expectedApps = Object.keys(declared).sort();

const reports = (runner: string): Report[] => {
  const dir = join(sb.dir, 'reports');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.startsWith(`${runner}-`))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Report);
};
const pick = (env: Record<string, unknown>, keys: readonly string[]): Record<string, string> =>
  Object.fromEntries(keys.filter((k) => env[k] !== undefined).map((k) => [k, String(env[k])]));

let fromPm2: Record<string, Started> = {};

beforeAll(async () => {
  sb = createSandbox();
  port = await freePort();
  cpSync(join(repoRoot, 'test/fixtures/pm2'), sb.dir, { recursive: true });
  for (const file of FILES) {
    const r = await pm2(['start', file, '--env', 'production']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  }
  const total = 2 + 2 + 1 + 1 + 2;
  const procs = await waitFor(
    async () => {
      const list = JSON.parse((await pm2(['jlist'])).stdout) as Pm2Proc[];
      return list.length === total && list.every((p) => p.pm2_env.status === 'online') && reports('pm2').length === total ? list : undefined;
    },
    { timeout: 20_000, interval: 200, what: 'every PM2 process online and reported' },
  );
  fromPm2 = {};
  for (const p of procs) {
    const e = p.pm2_env;
    const started = (fromPm2[p.name] ??= {
      instances: 0,
      mode: e.exec_mode.replace(/_mode$/, ''),
      command: [...(e.node_args ?? []), e.pm_exec_path, ...(e.args ?? [])],
      cwd: e.pm_cwd,
      env: pick(e.env, declared[p.name] ?? []),
    });
    started.instances++;
  }
  await pm2(['kill']);
}, 90_000);

afterAll(async () => {
  await pm2(['kill']).catch(() => undefined);
  await sb.cleanup();
});

describe('orch import pm2, with PM2 as the oracle', () => {
  it('PM2 ran what its files say (the oracle itself)', () => {
    expect(Object.keys(fromPm2).sort()).toEqual(expectedApps);
    expect(fromPm2.web?.mode).toBe('cluster');
    expect(fromPm2['yaml-worker']?.mode).toBe('cluster');
    expect(fromPm2.web?.env).toEqual({ GREETING: 'prod', LEVEL: '1', EXTRA: 'only-in-production' });
  });

  it('imports, validates and applies every file; orch runs the same apps, instances, modes, commands, cwd and env', async () => {
    for (const file of FILES) {
      const out = `${file}.orch.yaml`;
      const r = await sb.orch(['import', 'pm2', file, '--env', 'production', '--out', out], { env: { ORACLE_PORT: String(port) } });
      expect(r.code, r.stderr).toBe(0);
      const text = readFileSync(join(sb.dir, out), 'utf8');
      expect(text.split('\n')[0]).toMatch(/^# yaml-language-server: \$schema=.*schemas\/ecosystem\.schema\.json$/);
      const v = await sb.orch(['validate', out]);
      expect(v.code, v.stdout + v.stderr).toBe(0);
      const a = await sb.orch(['apply', out]);
      expect(a.code, a.stdout + a.stderr).toBe(0);
    }
    const status = await sb.orch(['status', '--output', 'json']);
    expect(status.code, status.stderr).toBe(0);
    const apps = (JSON.parse(status.stdout) as { apps: { name: string; project: string; mode: string; instances: { state: string }[] }[] }).apps;
    expect(apps.map((a) => a.name).sort()).toEqual(expectedApps);
    expect(Object.fromEntries(apps.map((a) => [a.name, a.project]))).toMatchObject({ web: 'oracle-js', 'json-worker': 'oracle-json', 'yaml-worker': 'oracle-yaml' });

    const total = Object.values(fromPm2).reduce((n, s) => n + s.instances, 0);
    const orchReports = await waitFor(() => (reports('orch').length === total ? reports('orch') : undefined), {
      timeout: 10_000,
      what: 'every orch instance reported',
    });
    const fromOrch: Record<string, Started> = {};
    for (const r of orchReports) {
      const app = apps.find((a) => a.name === r.app);
      // The drain preload orch adds to cluster workers is orch's own, not the app's.
      const execArgv = r.execArgv.filter((w, i, all) => !(w === '--require' && /orch|dist/.test(all[i + 1] ?? '')) && !(all[i - 1] === '--require' && /orch|dist/.test(w)));
      const [script = '', ...args] = r.argv;
      const started = (fromOrch[r.app] ??= {
        instances: 0,
        mode: app?.mode ?? '?',
        command: [...execArgv, resolve(r.cwd, script), ...args],
        cwd: r.cwd,
        env: pick(r.env, declared[r.app] ?? []),
      });
      started.instances++;
    }
    for (const app of expectedApps) {
      expect({ app, ...fromOrch[app] }).toEqual({ app, ...fromPm2[app] });
      expect(apps.find((a) => a.name === app)?.instances.length).toBe(fromPm2[app]?.instances);
    }
  });
});

describe('orch import pm2: a config that fails', () => {
  let own: Sandbox;
  beforeAll(() => {
    own = createSandbox();
  });
  afterAll(async () => {
    await own.cleanup();
  });

  it.each([
    ['throws', 'throws.config.cjs', "throw new Error('boom in config');", /evaluating it threw: Error: boom in config/],
    ['exits', 'exits.config.js', 'process.exit(3);', /ended \(exit code 3\) before exporting anything/],
    ['never finishes', 'spins.config.js', 'while (true) {}', /did not finish within 500ms \(the node process was killed\)/],
    ['is not PM2', 'other.json', '{ "hello": 1 }', /not a PM2 ecosystem/],
    ['has an unknown extension', 'pm2.toml', 'x = 1', /unknown extension '\.toml'/],
  ])('%s: exit 2 with what went wrong, promptly', async (_what, name, text, message) => {
    own.write(name, text);
    const started = Date.now();
    const r = await own.orch(['import', 'pm2', name, '--timeout', '500ms'], { timeout: 10_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('does not overwrite --out without --force; --output json gives the fidelity rows', async () => {
    own.write('app.js', '');
    own.write('ok.json5', "{ apps: [{ name: 'a', script: 'app.js', cron_restart: '* * * * *' }] }");
    own.write('taken.yaml', 'mine\n');
    const refused = await own.orch(['import', 'pm2', 'ok.json5', '--out', 'taken.yaml']);
    expect(refused.code).toBe(2);
    expect(readFileSync(join(own.dir, 'taken.yaml'), 'utf8')).toBe('mine\n');
    const r = await own.orch(['import', 'pm2', 'ok.json5', '--out', 'taken.yaml', '--force', '--output', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      file: 'ok.json5',
      out: 'taken.yaml',
      apps: ['a'],
      fidelity: [
        { app: 'a', key: 'name', status: 'mapped', note: expect.any(String) },
        { app: 'a', key: 'script', status: 'mapped', to: 'apps.a.run', note: expect.any(String) },
        { app: 'a', key: 'cron_restart', status: 'dropped', note: expect.stringMatching(/no scheduled restarts/) },
      ],
      valid: true,
      errors: [],
    });
  });
});
