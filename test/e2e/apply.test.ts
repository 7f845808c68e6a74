// apply / diff / status / stop / start / down, driving the built binary against a real daemon.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePortRange, httpGet } from '../helpers/ports.js';
import { repoRoot } from '../helpers/sandbox.js';
import { sandboxPerTest } from '../helpers/sandbox-per-test.js';
import { pidsOf, readStatus } from '../helpers/status.js';
import { waitFor } from '../helpers/wait-for.js';

const server = join(repoRoot, 'test/fixtures/e2e/server.js');
const worker = join(repoRoot, 'test/fixtures/e2e/worker.js');

const sb = sandboxPerTest();
const status = () => readStatus(sb);

const shopFile = (port: number, opts: { greeting?: string; workers?: number; withWorker?: boolean } = {}) => `
version: 1
name: shop
apps:
  web:
    run: node ${server}
    instances: 2
    port: ${port}
    env: { GREETING: ${opts.greeting ?? 'hi'} }
    ready: { type: tcp, timeout: 10s }
${
  opts.withWorker === false
    ? ''
    : `  worker:
    run: [node, ${worker}]
    instances: ${opts.workers ?? 1}
    ready: { type: none, delay: 100ms }
`
}`;

describe('apply and diff', () => {
  it('apply starts every app with the env the file declares, and a second diff is empty', async () => {
    const port = await freePortRange(2);
    sb.write('ecosystem.yaml', shopFile(port));
    const r = await sb.orch(['apply'], { env: { ORCH_TEST_LEAK: 'daemon-only' } });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/\+ web/);
    expect(r.stdout).toMatch(/\+ worker/);

    for (const i of [0, 1]) {
      const { body } = await httpGet(port + i, '/env');
      const { env } = JSON.parse(body) as { env: Record<string, string> };
      expect(env.ORCH_APP).toBe('web');
      expect(env.ORCH_INSTANCE).toBe(String(i));
      expect(env.PORT).toBe(String(port + i));
      expect(env.GREETING).toBe('hi');
      expect(env.ORCH_TEST_LEAK).toBeUndefined();
      expect(env.PATH).toBe(process.env.PATH);
    }
    const s = await status();
    expect(s.apps.map((a) => a.name)).toEqual(['web', 'worker']);
    expect(s.apps.flatMap((a) => a.instances.map((i) => i.state))).toEqual(['online', 'online', 'online']);

    const d = await sb.orch(['diff']);
    expect(d.code, d.stdout + d.stderr).toBe(0);
    expect(d.stdout).toMatch(/No changes/);
  });

  it('an edit shows in diff exactly, apply converges, and a removed app is pruned', async () => {
    const port = await freePortRange(2);
    sb.write('ecosystem.yaml', shopFile(port));
    expect((await sb.orch(['apply'])).code).toBe(0);
    const before = await status();

    sb.write('ecosystem.yaml', shopFile(port, { greeting: 'hello' }));
    const d = await sb.orch(['diff']);
    expect(d.code).toBe(1);
    expect(d.stdout).toMatch(/~ web/);
    expect(d.stdout).toMatch(/env\.GREETING/);
    expect(d.stdout).not.toMatch(/worker/);
    const json = JSON.parse((await sb.orch(['diff', '--output', 'json'])).stdout) as { actions: { app: string; type: string }[] };
    expect(json.actions.map((a) => [a.app, a.type])).toEqual([['web', 'restart']]);

    expect((await sb.orch(['apply'])).code).toBe(0);
    const after = await status();
    expect(pidsOf(after, 'web')).not.toEqual(pidsOf(before, 'web'));
    expect(pidsOf(after, 'worker')).toEqual(pidsOf(before, 'worker'));
    expect(JSON.parse((await httpGet(port, '/env')).body).env.GREETING).toBe('hello');

    sb.write('ecosystem.yaml', shopFile(port, { greeting: 'hello', workers: 3 }));
    const scale = await sb.orch(['diff']);
    expect(scale.stdout).toMatch(/scale 1 → 3/);
    expect((await sb.orch(['apply'])).code).toBe(0);
    const scaled = await status();
    expect(pidsOf(scaled, 'worker')).toHaveLength(3);
    expect(pidsOf(scaled, 'worker')).toContain(pidsOf(before, 'worker')[0]);

    sb.write('ecosystem.yaml', shopFile(port, { greeting: 'hello', withWorker: false }));
    const prune = await sb.orch(['diff']);
    expect(prune.stdout).toMatch(/- worker/);
    expect((await sb.orch(['apply'])).code).toBe(0);
    expect((await status()).apps.map((a) => a.name)).toEqual(['web']);
    expect((await sb.orch(['diff'])).code).toBe(0);
  });

  it('apps of another project are never touched', async () => {
    const port = await freePortRange(2);
    sb.write('a/ecosystem.yaml', `version: 1\nname: alpha\napps:\n  one:\n    run: node ${worker}\n    ready: { type: none, delay: 50ms }\n`);
    sb.write('b/ecosystem.yaml', shopFile(port, { withWorker: false }));
    expect((await sb.orch(['apply', 'a/ecosystem.yaml'])).code).toBe(0);
    const alpha = pidsOf(await status(), 'one');
    expect((await sb.orch(['apply', 'b/ecosystem.yaml'])).code).toBe(0);
    const s = await status();
    expect(pidsOf(s, 'one')).toEqual(alpha);
    expect(s.apps.map((a) => a.name)).toEqual(['one', 'web']);
    sb.write('c/ecosystem.yaml', `version: 1\nname: gamma\napps:\n  one:\n    run: node ${worker}\n`);
    const clash = await sb.orch(['apply', 'c/ecosystem.yaml']);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toMatch(/app name 'one' is already used by project 'alpha' in this ORCH_HOME; nothing was changed/);
    expect(pidsOf(await status(), 'one')).toEqual(alpha);
    expect((await sb.orch(['down', 'b/ecosystem.yaml'])).code).toBe(0);
    expect((await status()).apps.map((a) => a.name)).toEqual(['one']);
  });

  it('an app whose command does not exist is refused at its run line before anything starts (exit 2)', async () => {
    sb.write(
      'ecosystem.yaml',
      `version: 1\nname: shop\napps:\n  good:\n    run: node ${worker}\n    ready: { type: none, delay: 50ms }\n  bad:\n    run: ./no-such-program --flag\n    restart: { policy: never }\n`,
    );
    const r = await sb.orch(['apply']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ecosystem.yaml:8:10: apps.bad.run: command not found: ./no-such-program');
    expect((await status()).apps).toEqual([]);
  });

  it('stop is drift that diff shows and apply repairs', async () => {
    sb.write('ecosystem.yaml', `version: 1\nname: shop\napps:\n  w:\n    run: node ${worker}\n    ready: { type: none, delay: 50ms }\n`);
    expect((await sb.orch(['apply'])).code).toBe(0);
    const stop = await sb.orch(['stop', 'w']);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toMatch(/w: stop done/);
    expect((await status()).apps[0]!.instances.every((i) => i.state === 'stopped')).toBe(true);
    const d = await sb.orch(['diff']);
    expect(d.code).toBe(1);
    expect(d.stdout).toMatch(/~ w/);
    expect((await sb.orch(['apply'])).code).toBe(0);
    expect((await status()).apps[0]!.instances[0]!.state).toBe('online');
    const json = await sb.orch(['stop', 'w', '--output', 'json']);
    expect(JSON.parse(json.stdout)).toEqual({ app: 'w', type: 'stop', status: 'ok', ok: true, interrupts: true });
    expect((await sb.orch(['stop', 'nope'])).code).toBe(2);
  });

  it('depends_on: a dependency is ready before its dependent starts', async () => {
    const port = await freePortRange(1);
    const marks = join(sb.dir, 'marks.txt');
    sb.write(
      'ecosystem.yaml',
      `version: 1
name: chain
defaults:
  env: { MARK_FILE: ${marks} }
apps:
  api:
    run: node ${worker}
    depends_on: [db]
    ready: { type: none, delay: 50ms }
  db:
    run: node ${server}
    port: ${port}
    env: { LISTEN_DELAY_MS: "400" }
`,
    );
    const r = await sb.orch(['apply']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    // api counts as ready 50 ms after its spawn, which can be before node has run its first line
    // on a loaded machine: wait for its mark rather than read the file once.
    const mark = (app: string, what: string) => {
      const line = readFileSync(marks, 'utf8').split('\n').find((l) => l.startsWith(`${app} ${what} `));
      return line === undefined ? undefined : Number(line.split(' ')[2]);
    };
    const apiStart = await waitFor(() => mark('api', 'start'), { what: 'api to write its start mark' });
    expect(apiStart).toBeGreaterThanOrEqual(mark('db', 'ready')!);
  });

  it.skipIf(spawnSync('python3', ['--version']).status !== 0)(
    'a Python app in socket mode is ready when it says READY=1 (sd_notify), and reloads',
    async () => {
      const port = await freePortRange(1);
      const py = join(repoRoot, 'examples/socket-python/server.py');
      sb.write(
        'ecosystem.yaml',
        `version: 1\nname: py\napps:\n  pyweb:\n    run: [python3, -u, ${py}]\n    mode: socket\n    port: ${port}\n    instances: 2\n    ready: { type: notify, timeout: 10s }\n`,
      );
      const r = await sb.orch(['apply']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect((await status()).apps[0]!.instances.map((i) => i.state)).toEqual(['online', 'online']);
      expect(JSON.parse((await httpGet(port, '/')).body)).toMatchObject({ app: 'pyweb' });
      const reload = await sb.orch(['reload', 'pyweb']);
      expect(reload.code, reload.stdout + reload.stderr).toBe(0);
      expect(reload.stdout).toMatch(/pyweb: reload done/);
    },
  );

  it('two concurrent applies end in the state of the last one', async () => {
    const file = (n: number, delay: number) =>
      `version: 1\nname: race\napps:\n  w:\n    run: node ${worker}\n    instances: ${n}\n    ready: { type: none, delay: ${delay}ms }\n`;
    sb.write('first.yaml', file(1, 1500));
    sb.write('second.yaml', file(3, 50));
    const first = sb.orch(['apply', 'first.yaml']);
    // The second starts once the daemon is busy with the first.
    await waitFor(async () => (await status()).apps.some((a) => a.name === 'w'), { what: 'first apply under way' });
    const second = await sb.orch(['apply', 'second.yaml']);
    expect((await first).code).toBe(0);
    expect(second.code).toBe(0);
    const s = await status();
    expect(s.apps[0]!.instances.filter((i) => i.state === 'online')).toHaveLength(3);
    expect((await sb.orch(['diff', 'second.yaml'])).code).toBe(0);
  });
});
