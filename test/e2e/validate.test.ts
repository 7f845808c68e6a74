// `orch validate` (and diff/apply, which load the file the same way) through the built binary:
// one pass shows every error, scripts and commands must exist, PM2 keys get pointers, and a
// warning is printed without changing the exit code (SPEC §9).
import { describe, expect, it } from 'vitest';
import { sandboxPerTest } from '../helpers/sandbox-per-test.js';

const sb = sandboxPerTest();

const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`;

/** stderr's lines before the count line, after checking that one. */
const errorLines = (stderr: string, count: number): string[] => {
  const lines = stderr.trim().split('\n');
  expect(lines.at(-1)).toBe(`${count} error${count === 1 ? '' : 's'} in ecosystem.yaml.`);
  return lines.slice(0, -1);
};

describe('orch validate: one pass', () => {
  it('a schema error hides neither the semantic errors of other apps nor those of its own app', async () => {
    sb.write('server.js', '');
    sb.write(
      'ecosystem.yaml',
      yaml(
        'version: 1',
        'apps:',
        '  api:',
        '    run: node server.js',
        '    mode: cluster',
        '    instances: lots',
        '    port: 8080',
        '    depends_on: [db]',
        '  web:',
        '    run: node server.js',
        '    port: 8080',
        '  worker:',
        '    run: node server.js',
        '    restart: { policy: sometimes }',
        '    ready: { type: tcp }',
      ),
    );
    const r = await sb.orch(['validate']);
    expect(r.code).toBe(2);
    expect(errorLines(r.stderr, 5)).toEqual([
      'ecosystem.yaml:6:16: apps.api.instances: must be an integer >= 0 or "max", got "lots"',
      "ecosystem.yaml:8:18: apps.api.depends_on.0: app 'db' is not defined in apps",
      "ecosystem.yaml:11:11: apps.web.port: port 8080 is already used by app 'api' (port 8080)",
      'ecosystem.yaml:14:24: apps.worker.restart.policy: must be one of "always", "on-failure", "never", got "sometimes"',
      'ecosystem.yaml:15:20: apps.worker.ready.type: ready type "tcp" needs a port to probe',
    ]);
  });
});

describe('orch validate: scripts and commands', () => {
  it('a typo in the script path is an error at the run line, for validate, diff and apply alike', async () => {
    sb.write('src/worker.js', '');
    sb.write('ecosystem.yaml', yaml('version: 1', 'apps:', '  worker:', '    run: node src/wrker.js'));
    const expected = `ecosystem.yaml:4:10: apps.worker.run: script not found: src/wrker.js (resolved from cwd ${sb.dir})`;
    const validate = await sb.orch(['validate']);
    expect(validate.code).toBe(2);
    expect(errorLines(validate.stderr, 1)).toEqual([expected]);
    for (const verb of ['diff', 'apply']) {
      const r = await sb.orch([verb]);
      expect(r.code, verb).toBe(2);
      expect(r.stderr.trim().split('\n'), verb).toEqual([expected, '1 error in ecosystem.yaml; nothing was changed.']);
    }
  });

  it('a command that is not on PATH is an error at the run line', async () => {
    sb.write('server.js', '');
    sb.write('ecosystem.yaml', yaml('version: 1', 'apps:', '  api:', '    run: nodee server.js', '    mode: socket', '    port: 8080'));
    const r = await sb.orch(['validate']);
    expect(r.code).toBe(2);
    expect(errorLines(r.stderr, 1)).toEqual(['ecosystem.yaml:4:10: apps.api.run: command not found: nodee']);
  });
});

describe('orch validate: PM2 habits', () => {
  it('script, exec_mode and kill_timeout point at run, mode and shutdown.timeout', async () => {
    sb.write(
      'ecosystem.yaml',
      yaml('version: 1', 'apps:', '  api:', '    script: server.js', '    exec_mode: cluster_mode', '    kill_timeout: 3000'),
    );
    const r = await sb.orch(['validate']);
    expect(r.code).toBe(2);
    expect(errorLines(r.stderr, 4)).toEqual([
      "ecosystem.yaml:3:3: apps.api: missing required key 'run'",
      "ecosystem.yaml:4:5: apps.api.script: unknown key 'script': orch calls it 'run' (run: server.js)",
      "ecosystem.yaml:5:5: apps.api.exec_mode: unknown key 'exec_mode': orch calls it 'mode' (mode: cluster; PM2's cluster_mode is cluster, fork_mode is fork)",
      "ecosystem.yaml:6:5: apps.api.kill_timeout: unknown key 'kill_timeout': orch calls it 'timeout' under 'shutdown' (shutdown: { timeout: 3000 })",
    ]);
  });
});

describe('warnings', () => {
  const clusterWithoutPort = yaml('version: 1', 'apps:', '  jobs:', '    run: node worker.js', '    mode: cluster');
  const warning =
    "warning: ecosystem.yaml:5:11: apps.jobs.mode: cluster app with no port: readiness waits for each worker's 'listening' " +
    "event, and a worker that does not listen fails after ready.timeout (30s); set 'port', or ready.type 'message' or 'none'";

  it('a cluster app with no port is valid, with a warning on stderr (exit 0)', async () => {
    sb.write('worker.js', '');
    sb.write('ecosystem.yaml', clusterWithoutPort);
    const r = await sb.orch(['validate']);
    expect(r.code).toBe(0);
    expect(r.stderr.trim().split('\n')).toEqual([warning]);
    expect(r.stdout).toMatch(/ecosystem\.yaml is valid/);
  });

  it('validate --output json carries them in a warnings array', async () => {
    sb.write('worker.js', '');
    sb.write('ecosystem.yaml', clusterWithoutPort);
    const r = await sb.orch(['validate', '--output', 'json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { valid: boolean; errors: unknown[]; warnings: { line: number; col: number; path: string }[] };
    expect(json.valid).toBe(true);
    expect(json.errors).toEqual([]);
    expect(json.warnings.map((w) => `${w.line}:${w.col} ${w.path}`)).toEqual(['5:11 apps.jobs.mode']);
  });

  it('diff prints them on stderr and keeps its exit code', async () => {
    sb.write('worker.js', '');
    sb.write('ecosystem.yaml', clusterWithoutPort);
    const r = await sb.orch(['diff']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([warning]);
    expect(r.stdout).toMatch(/\+ jobs/);
  });
});
