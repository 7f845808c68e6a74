// The PM2 → orch mapping, key by key (src/import/pm2-map.ts), including the reason of every
// dropped key, and the README's key table checked against the module's.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PM2_KEYS, renderPm2KeyTable } from '../../../src/import/pm2-keys.js';
import { type FidelityRow, type Pm2MapOptions, mapPm2 } from '../../../src/import/pm2-map.js';
import { repoRoot } from '../../helpers/sandbox.js';

const OPTIONS: Pm2MapOptions = {
  cpus: 4,
  pm2Dir: '/srv/shop',
  outDir: '/srv/shop',
  hasCommand: (name) => name === 'python3',
  // No file exists in this pure world, except a binary and a shell script.
  isBinary: (path) => (path === '/srv/shop/bin/server' ? true : path === '/srv/shop/bin/www' ? false : undefined),
};

const mapOne = (app: Record<string, unknown>, options: Partial<Pm2MapOptions> = {}) => {
  const r = mapPm2({ apps: [app] }, { ...OPTIONS, ...options });
  if (!r.ok) throw new Error(r.message);
  const [name, orch] = Object.entries(r.document.apps)[0] ?? [];
  const rows = Object.fromEntries(r.fidelity.filter((row) => row.app === name).map((row) => [row.key, row]));
  return { name, orch: orch ?? {}, rows, result: r };
};
const statusOf = (rows: Record<string, FidelityRow>): Record<string, string> =>
  Object.fromEntries(Object.entries(rows).map(([k, r]) => [k, r.status]));

describe('mapPm2: each key', () => {
  const cases: [string, Record<string, unknown>, Record<string, unknown>, Record<string, string>, Partial<Pm2MapOptions>?][] = [
    ['name and script', { name: 'api', script: 'server.js' }, { run: 'node server.js' }, { name: 'mapped', script: 'mapped' }],
    ['args as a string, split as PM2 splits it', { script: 'a.js', args: '--x "y z" k="v w"' }, { run: ['node', 'a.js', '--x', 'y z', 'k="v w"'] }, { args: 'mapped' }],
    ['args as a list', { script: 'a.js', args: ['-p', 3] }, { run: 'node a.js -p 3' }, { args: 'mapped' }],
    ['node_args', { script: 'a.js', node_args: '--max-old-space-size=64' }, { run: 'node --max-old-space-size=64 a.js' }, { node_args: 'mapped' }],
    ['interpreter_args alias', { script: 'w.py', interpreter_args: ['-u'] }, { run: 'python3 -u w.py', env: { PYTHONUNBUFFERED: '1' } }, { interpreter_args: 'mapped' }],
    ['interpreter', { script: 'w.rb', interpreter: '/usr/bin/ruby' }, { run: '/usr/bin/ruby w.rb' }, { interpreter: 'mapped', script: 'mapped' }],
    ['interpreter none', { script: 'bin/server', exec_interpreter: 'none' }, { run: 'bin/server' }, { exec_interpreter: 'mapped' }],
    ['node@version', { script: 'a.js', interpreter: 'node@18.0.0' }, { run: 'node a.js' }, { interpreter: 'approximated' }],
    ['.sh by extension', { script: 'job.sh' }, { run: 'bash job.sh' }, { script: 'mapped' }],
    ['.ts runs with bun in PM2 6', { script: 'a.ts' }, { run: 'bun a.ts' }, { script: 'approximated' }],
    ['a binary runs itself', { script: 'bin/server' }, { run: 'bin/server' }, { script: 'mapped' }],
    ['a text file with no extension runs with node', { script: 'bin/www' }, { run: 'node bin/www' }, { script: 'mapped' }],
    ['a command on PATH runs itself', { script: 'npm', args: 'start' }, { run: 'npm start' }, { script: 'approximated' }],
    ['a command line runs through a shell', { script: 'npm run serve' }, { run: 'npm run serve', shell: true }, { script: 'approximated' }],
    ['cwd, relative to the orch file', { script: 'a.js', cwd: 'api' }, { cwd: 'shop/api' }, { cwd: 'mapped' }, { outDir: '/srv' }],
    ['no cwd, orch file elsewhere', { script: 'a.js' }, { cwd: 'shop' }, {}, { outDir: '/srv' }],
    ['cwd absolute', { script: 'a.js', cwd: '/opt/x' }, { cwd: '/opt/x' }, { cwd: 'mapped' }],
    ['instances n, node: cluster (PM2 default)', { script: 'a.js', instances: 3 }, { instances: 3, mode: 'cluster', ready: { type: 'none' } }, { instances: 'mapped' }],
    ['instances max', { script: 'a.js', instances: 'max', exec_mode: 'fork' }, { instances: 'max', mode: 'fork' }, { instances: 'mapped', exec_mode: 'mapped' }],
    ['instances 0', { script: 'a.js', instances: 0, exec_mode: 'fork_mode' }, { instances: 'max', mode: 'fork' }, { instances: 'mapped' }],
    ['instances -1: all CPUs but one', { script: 'a.js', instances: -1, exec_mode: 'fork' }, { instances: 3 }, { instances: 'approximated' }],
    ['instances of a python script stay fork', { script: 'w.py', instances: 2 }, { instances: 2 }, { instances: 'mapped' }],
    ['exec_mode cluster', { script: 'a.js', exec_mode: 'cluster_mode', port: 3000 }, { mode: 'cluster', port: 3000 }, { exec_mode: 'mapped', port: 'mapped' }],
    ['exec_mode cluster of python is fork', { script: 'w.py', exec_mode: 'cluster' }, { mode: 'fork' }, { exec_mode: 'approximated' }],
    ['env', { script: 'a.js', env: { A: 'x', N: 1, B: true, O: { k: 1 }, D: '${HOME}' } }, { env: { A: 'x', N: 1, B: true, O: '{"k":1}', D: '$${HOME}' } }, { env: 'mapped' }],
    ['env_<NAME> with --env', { script: 'a.js', env: { A: '1', B: '1' }, env_production: { B: '2' }, env_staging: { B: '3' } }, { env: { A: '1', B: '2' } }, { env: 'mapped', env_production: 'mapped', env_staging: 'dropped' }, { envName: 'production' }],
    ['env_<NAME> without --env', { script: 'a.js', env_production: { B: '2' } }, {}, { env_production: 'dropped' }],
    ['env_file', { script: 'a.js', env_file: '.env' }, { env_file: '.env' }, { env_file: 'approximated' }],
    ['port', { script: 'a.js', port: 8080 }, { port: 8080 }, { port: 'mapped' }],
    ['PORT in env', { script: 'a.js', env: { PORT: '8080', A: '1' } }, { port: 8080, env: { A: '1' } }, { 'env.PORT': 'mapped' }],
    ['port in fork mode with instances', { script: 'a.js', port: 8080, instances: 2, exec_mode: 'fork' }, { port: 8080 }, { port: 'approximated' }],
    ['port + increment_var PORT', { script: 'a.js', port: 8080, instances: 2, exec_mode: 'fork', increment_var: 'PORT' }, { port: 8080 }, { port: 'mapped', increment_var: 'mapped' }],
    ['max_memory_restart', { script: 'a.js', max_memory_restart: '300M' }, { max_memory: '300M' }, { max_memory_restart: 'mapped' }],
    ['max_memory_restart in bytes', { script: 'a.js', max_memory_restart: 1048576 }, { max_memory: 1048576 }, { max_memory_restart: 'mapped' }],
    ['kill_timeout', { script: 'a.js', kill_timeout: 3000 }, { shutdown: { signal: 'SIGINT', timeout: 3000 } }, { kill_timeout: 'mapped' }],
    ['listen_timeout', { script: 'a.js', listen_timeout: 8000 }, { ready: { timeout: 8000 } }, { listen_timeout: 'approximated' }],
    ['wait_ready', { script: 'a.js', wait_ready: true }, { ready: { type: 'message' } }, { wait_ready: 'mapped' }],
    ['shutdown_with_message', { script: 'a.js', shutdown_with_message: true }, { shutdown: { signal: 'SIGINT' } }, { shutdown_with_message: 'approximated' }],
    ['autorestart false', { script: 'a.js', autorestart: false }, { restart: { policy: 'never' } }, { autorestart: 'mapped' }],
    ['autorestart true', { script: 'a.js', autorestart: true }, { restart: { policy: 'always' } }, { autorestart: 'mapped' }],
    ['max_restarts', { script: 'a.js', max_restarts: 5 }, { restart: { max_restarts: 5 } }, { max_restarts: 'approximated' }],
    ['min_uptime', { script: 'a.js', min_uptime: '5s' }, { restart: { min_uptime: '5s' } }, { min_uptime: 'mapped' }],
    ['restart_delay', { script: 'a.js', restart_delay: 2000 }, { restart: { backoff: { initial: 2000, max: 2000, factor: 1 } } }, { restart_delay: 'mapped' }],
    ['exp_backoff_restart_delay', { script: 'a.js', exp_backoff_restart_delay: 100 }, { restart: { backoff: { initial: 100, max: 15000, factor: 1.5 } } }, { exp_backoff_restart_delay: 'mapped' }],
    ['both delays: exponential wins', { script: 'a.js', restart_delay: 5, exp_backoff_restart_delay: 100 }, { restart: { backoff: { initial: 100 } } }, { restart_delay: 'dropped', exp_backoff_restart_delay: 'mapped' }],
    ['stop_exit_codes [0]', { script: 'a.js', stop_exit_codes: [0] }, { restart: { policy: 'on-failure' } }, { stop_exit_codes: 'mapped' }],
    ['stop_exit_codes [0, 3]', { script: 'a.js', stop_exit_codes: [0, 3] }, { restart: { policy: 'on-failure' } }, { stop_exit_codes: 'approximated' }],
    ['stop_exit_codes [3]', { script: 'a.js', stop_exit_codes: 3 }, {}, { stop_exit_codes: 'dropped' }],
    ['watch true', { script: 'a.js', watch: true }, { watch: true }, { watch: 'approximated' }],
    ['watch paths, ignore_watch, watch_delay', { script: 'a.js', watch: ['src'], ignore_watch: 'node_modules', watch_delay: 300 }, { watch: { paths: ['src'], ignore: ['node_modules'], debounce: 300 } }, { watch: 'approximated', ignore_watch: 'approximated', watch_delay: 'mapped' }],
    ['ignore_watch without watch', { script: 'a.js', ignore_watch: ['x'] }, {}, { ignore_watch: 'dropped' }],
    ['an unknown key', { script: 'a.js', colour: 'blue' }, {}, { colour: 'dropped' }],
  ];
  it.each(cases)('%s', (_what, app, orch, rows, options) => {
    const m = mapOne(app, options);
    expect(m.orch).toMatchObject(orch);
    expect(statusOf(m.rows)).toMatchObject(rows);
  });

  it('a name orch cannot take is renamed, approximated; no name is the script\'s base name', () => {
    expect(mapOne({ name: 'My API', script: 'a.js' }).name).toBe('my-api');
    expect(mapOne({ name: 'My API', script: 'a.js' }).rows.name?.status).toBe('approximated');
    expect(mapOne({ script: 'lib/Worker.Main.js' }).name).toBe('worker.main');
    const two = mapPm2([{ name: 'a', script: 'a.js' }, { name: 'a', script: 'b.js' }], OPTIONS);
    expect(two.ok && Object.keys(two.document.apps)).toEqual(['a', 'a-2']);
  });

  it('one namespace for every app becomes the project; different ones are dropped', () => {
    const same = mapPm2([{ script: 'a.js', namespace: 'shop' }, { script: 'b.js', namespace: 'shop' }], OPTIONS);
    expect(same.ok && same.document.name).toBe('shop');
    expect(same.ok && same.fidelity.filter((r) => r.key === 'namespace').map((r) => r.status)).toEqual(['approximated', 'approximated']);
    const differ = mapPm2([{ script: 'a.js', namespace: 'a' }, { script: 'b.js', namespace: 'b' }], OPTIONS);
    expect(differ.ok && differ.document.name).toBeUndefined();
    expect(differ.ok && differ.fidelity.filter((r) => r.key === 'namespace').map((r) => r.status)).toEqual(['dropped', 'dropped']);
  });

  it('every approximated key with a place in the file gets a comment there', () => {
    const m = mapOne({ script: 'a.js', instances: -1, listen_timeout: 100, watch: true, exec_mode: 'fork' });
    const commented = m.result.ok ? m.result.comments.map((c) => c.path.join('.')) : [];
    for (const row of Object.values(m.rows).filter((r) => r.status === 'approximated' && r.to !== undefined)) {
      expect(commented).toContain(row.to);
    }
  });

  it('deploy and other keys of the file itself are dropped with a reason', () => {
    const r = mapPm2({ apps: [{ script: 'a.js' }], deploy: { production: {} }, static: [] }, OPTIONS);
    expect(r.ok && r.fidelity.filter((row) => row.app === '-').map((row) => [row.key, row.status])).toEqual([
      ['deploy', 'dropped'],
      ['static', 'dropped'],
    ]);
  });

  it('a file with no apps, or an app with no script, is refused', () => {
    expect(mapPm2({ apps: [] }, OPTIONS).ok).toBe(false);
    expect(mapPm2({ apps: [{ name: 'x' }] }, OPTIONS)).toMatchObject({ ok: false, message: expect.stringMatching(/no script/) });
    expect(mapPm2('nope', OPTIONS).ok).toBe(false);
  });
});

describe('mapPm2: every dropped key says why', () => {
  const dropped = PM2_KEYS.filter((k) => k.fidelity === 'dropped' && k.key !== 'deploy').flatMap((k) =>
    [k.key, ...(k.aliases ?? [])].map((name) => [name, k.note] as const),
  );
  it.each(dropped)('%s', (name, note) => {
    const { rows } = mapOne({ script: 'a.js', [name]: 'x' });
    expect(rows[name]).toMatchObject({ status: 'dropped', note });
    expect(note.length).toBeGreaterThan(8);
  });

  it('every key of an app gets exactly one row', () => {
    const app: Record<string, unknown> = { script: 'a.js' };
    for (const k of PM2_KEYS) if (!['deploy', 'env_<NAME>', 'script'].includes(k.key)) app[k.key] = k.key === 'name' ? 'n' : 1;
    const r = mapPm2({ apps: [app] }, OPTIONS);
    const keys = r.ok ? r.fidelity.filter((row) => row.app !== '-').map((row) => row.key) : [];
    expect([...keys].sort()).toEqual(Object.keys(app).sort());
  });
});

describe("the README's PM2 key table", () => {
  it('is the one the mapping module renders', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    expect(readme).toContain(renderPm2KeyTable());
  });
});
