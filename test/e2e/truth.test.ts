// SPEC §9 through the built binary: diff predicts apply (foreign ports, names owned by another
// project), and `interrupts` is said before acting, by the plan and by the imperative verbs.
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports.js';
import { repoRoot } from '../helpers/sandbox.js';
import { sandboxPerTest } from '../helpers/sandbox-per-test.js';
import { waitFor } from '../helpers/wait-for.js';
import { findPortHolders } from '../../src/process/port-holders.js';

const server = join(repoRoot, 'test/fixtures/e2e/server.js');

const sb = sandboxPerTest();
let foreign: ChildProcess | undefined;
// Registered after the sandbox's hooks, so it runs before its cleanup.
afterEach(() => {
  foreign?.kill('SIGKILL');
  foreign = undefined;
});

/** A listener nobody here wrote, in a process of its own: python3's http.server. */
const holdPort = async (port: number): Promise<number> => {
  foreign = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1'], { cwd: sb.dir, stdio: 'ignore' });
  await waitFor(() => findPortHolders([port]).get(port)?.pids.length, { what: `python3 listening on ${port}` });
  return foreign.pid!;
};

const webFile = (project: string, port: number, extra = '') => `
version: 1
name: ${project}
apps:
  web:
    run: node ${server}
    port: ${port}
    ready: { type: tcp, timeout: 5s }
${extra}`;

describe('diff predicts apply', () => {
  it('a port held by a foreign process: diff exits 2 and apply exits 3, both naming its pid and command', async () => {
    const port = await freePort();
    const pid = await holdPort(port);
    sb.write('ecosystem.yaml', webFile('shop', port));
    const expected = `port ${port} is in use by pid ${pid} (python3)`;

    const d = await sb.orch(['diff']);
    expect(d.code, d.stdout + d.stderr).toBe(2);
    expect(d.stderr).toContain(`web: ${expected}`);
    expect(d.stdout).toContain(`! web: ${expected}`);

    const a = await sb.orch(['apply']);
    expect(a.code, a.stdout + a.stderr).toBe(3);
    expect(a.stdout).toContain(`✗ web: create failed: ${expected}`);
    expect(a.stdout).not.toContain('converged');
  });

  it('an app name owned by another project: diff exits 2 with the very message apply gives', async () => {
    const [p1, p2] = [await freePort(), await freePort()];
    sb.write('one/ecosystem.yaml', webFile('one', p1, '    instances: 1\n'));
    expect((await sb.orch(['apply', 'one/ecosystem.yaml'])).code).toBe(0);
    sb.write('two/ecosystem.yaml', webFile('two', p2));

    const d = await sb.orch(['diff', 'two/ecosystem.yaml']);
    const a = await sb.orch(['apply', 'two/ecosystem.yaml']);
    expect(d.code).toBe(2);
    expect(a.code).toBe(2);
    expect(d.stderr).toContain("app name 'web' is already used by project 'one' in this ORCH_HOME");
    expect(d.stderr).toBe(a.stderr);
  });
});

describe('interrupts, said before acting', () => {
  const cluster = (port: number, instances: number) => `
version: 1
name: shop
apps:
  web:
    run: node ${server}
    mode: cluster
    instances: ${instances}
    port: ${port}
`;

  it('scaling a shared-port app 2 → 0 interrupts service', async () => {
    const port = await freePort();
    sb.write('ecosystem.yaml', cluster(port, 2));
    expect((await sb.orch(['apply'])).code).toBe(0);
    sb.write('ecosystem.yaml', cluster(port, 0));
    const d = await sb.orch(['diff', '--output', 'json']);
    expect(d.code, d.stderr).toBe(1);
    const plan = JSON.parse(d.stdout) as { actions: { type: string; interrupts: boolean }[] };
    expect(plan.actions).toEqual([expect.objectContaining({ type: 'scale', interrupts: true })]);
    expect((await sb.orch(['diff'])).stdout).toContain('scale 2 → 0 — interrupts service');
  });

  it('orch restart of a shared-port app says it interrupts and names orch reload; reload says it does not', async () => {
    const port = await freePort();
    sb.write('ecosystem.yaml', cluster(port, 2));
    expect((await sb.orch(['apply'])).code).toBe(0);
    const r = await sb.orch(['restart', 'web']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('restart web: interrupts service (for no interruption: orch reload web)');
    const l = await sb.orch(['reload', 'web']);
    expect(l.stdout.split('\n')[0]).toBe('reload web: no interruption');
    const j = await sb.orch(['stop', 'web', '--output', 'json']);
    expect(JSON.parse(j.stdout)).toMatchObject({ app: 'web', type: 'stop', ok: true, interrupts: true });
  });
});

describe('down needs only the project name', () => {
  it('takes a project down even after its script was deleted (the file no longer validates)', async () => {
    const script = sb.write('app/server.js', `require('node:http').createServer((q, s) => s.end('ok')).listen(process.env.PORT, '127.0.0.1');\n`);
    const port = await freePort();
    sb.write('ecosystem.yaml', `version: 1\nname: shop\napps:\n  web:\n    run: node ${script}\n    port: ${port}\n`);
    expect((await sb.orch(['apply'])).code).toBe(0);
    rmSync(script);
    expect((await sb.orch(['validate'])).code).toBe(2);
    const d = await sb.orch(['down']);
    expect(d.code, d.stdout + d.stderr).toBe(0);
    expect(d.stderr).toContain("only its project name 'shop' is used");
    expect(d.stdout).toContain('web: delete done');
    const s = JSON.parse((await sb.orch(['status', '--output', 'json'])).stdout) as { apps: unknown[] };
    expect(s.apps).toEqual([]);
  });
});

describe('down stops in the one delete order', () => {
  it('stops dependents before what they depend on (an agent last)', async () => {
    const worker = join(repoRoot, 'test/fixtures/e2e/worker.js');
    sb.write(
      'ecosystem.yaml',
      `version: 1\nname: shop\napps:\n  a-db:\n    run: node ${worker}\n    ready: { type: none, delay: 50ms }\n  z-api:\n    run: node ${worker}\n    ready: { type: none, delay: 50ms }\n    depends_on: [a-db]\n`,
    );
    expect((await sb.orch(['apply'])).code).toBe(0);
    const d = await sb.orch(['down', '--output', 'json']);
    expect(d.code, d.stderr).toBe(0);
    expect((JSON.parse(d.stdout) as { app: string }[]).map((r) => r.app)).toEqual(['z-api', 'a-db']);
  });
});

describe('an agent runs exactly one instance', () => {
  it('orch scale of the agent is refused (exit 2) and changes nothing', async () => {
    const worker = join(repoRoot, 'test/fixtures/e2e/worker.js');
    sb.write('ecosystem.yaml', `version: 1\nname: shop\napps:\n  hub:\n    run: node ${worker}\n    role: agent\n    ready: { type: none, delay: 50ms }\n`);
    expect((await sb.orch(['apply'])).code).toBe(0);
    const s = await sb.orch(['scale', 'hub', '3']);
    expect(s.code).toBe(2);
    expect(s.stderr).toContain("'hub' is its project's agent: it runs exactly one instance");
    const status = JSON.parse((await sb.orch(['status', '--output', 'json'])).stdout) as { apps: { instances: unknown[] }[] };
    expect(status.apps[0]?.instances).toHaveLength(1);
  });
});
