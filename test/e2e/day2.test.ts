// The day-2 commands PM2 users type from habit (SPEC §11), through the built binary: list,
// describe, scale, verbs over several apps or `all`, status columns and --project, suggestions
// that never name a verb which stops or deletes, and `orch start app.js`.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports.js';
import { createSandbox, repoRoot, runOrch, type Sandbox } from '../helpers/sandbox.js';
import { waitFor } from '../helpers/wait-for.js';

const server = join(repoRoot, 'test/fixtures/e2e/server.js');
const worker = join(repoRoot, 'test/fixtures/e2e/worker.js');
const crash = join(repoRoot, 'test/fixtures/apps/crash-after.js');

interface InstanceJson {
  index: number;
  pid: number | null;
  state: string;
}
interface StatusJson {
  apps: { name: string; project: string; mode: string; stopped: boolean; instances: InstanceJson[] }[];
}
interface DescribeJson {
  name: string;
  project: string;
  stopped: boolean;
  spec: { run: string; cwd: string; mode: string; port: number | null; instances: number; env: Record<string, string | null>; restart: { policy: string } };
  instances: InstanceJson[];
  events: { time: string; instance: number | null; type: string; code?: number | null; signal?: string | null; pid?: number }[];
}

let sb: Sandbox;
beforeEach(() => {
  sb = createSandbox();
});
afterEach(async () => {
  await sb.cleanup();
});

const workers = (names: readonly string[], instances = 1) => `
version: 1
name: shop
apps:
${names.map((n) => `  ${n}:\n    run: [node, ${worker}]\n    instances: ${instances}\n    ready: { type: none, delay: 0ms }\n`).join('')}`;

const status = async (): Promise<StatusJson> => {
  const r = await sb.orch(['status', '--output', 'json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as StatusJson;
};
const appOf = (s: StatusJson, name: string) => s.apps.find((a) => a.name === name)!;
const apply = async (): Promise<void> => {
  const r = await sb.orch(['apply']);
  expect(r.code, r.stderr + r.stdout).toBe(0);
};

describe('suggestions and aliases', () => {
  const orch = (...args: string[]) => runOrch(args, { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1' }, timeout: 30_000 });

  it.each([['stpo'], ['stp'], ['delte'], ['dwn'], ['flsh'], ['shop'], ['tops'], ['daemon', 'stpo']])(
    "'orch %s' never suggests a verb that stops or deletes",
    async (...args) => {
      const r = await orch(...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/unknown command/);
      expect(r.stderr).not.toMatch(/Did you mean (stop|delete|down|flush)\b/);
    },
  );

  it('still suggests harmless verbs', async () => {
    const r = await orch('aply');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Did you mean apply\?/);
  });
});

describe('list, status columns and --project', () => {
  it('orch list is status; status shows project and mode, and --project filters', async () => {
    sb.write('ecosystem.yaml', workers(['alpha', 'beta']));
    sb.write('other/ecosystem.yaml', `version: 1\nname: back\napps:\n  gamma:\n    run: [node, ${worker}]\n    ready: { type: none, delay: 0ms }\n`);
    await apply();
    const other = await sb.orch(['apply', 'other/ecosystem.yaml']);
    expect(other.code, other.stderr).toBe(0);

    const list = await sb.orch(['list', '--output', 'json']);
    expect(list.code, list.stderr).toBe(0);
    expect((JSON.parse(list.stdout) as StatusJson).apps.map((a) => a.name)).toEqual(['alpha', 'beta', 'gamma']);

    const human = await sb.orch(['list']);
    expect(human.code).toBe(0);
    const [head, ...rows] = human.stdout.trim().split('\n');
    expect(head).toMatch(/^APP\s+PROJECT\s+MODE\s+GEN/);
    expect(rows.find((r) => r.startsWith('gamma'))).toMatch(/^gamma\s+back\s+fork\s/);

    const only = await sb.orch(['status', '--project', 'shop', '--output', 'json']);
    expect(only.code, only.stderr).toBe(0);
    expect((JSON.parse(only.stdout) as StatusJson).apps.map((a) => a.name)).toEqual(['alpha', 'beta']);
    const onlyHuman = await sb.orch(['ls', '-p', 'back']);
    expect(onlyHuman.stdout).toMatch(/gamma/);
    expect(onlyHuman.stdout).not.toMatch(/alpha/);

    const unknown = await sb.orch(['status', '--project', 'nope', '--output', 'json']);
    expect(unknown.code).toBe(2);
    expect((JSON.parse(unknown.stdout) as { error: { code: string } }).error.code).toBe('ORCH_UNKNOWN_PROJECT');
    const unknownHuman = await sb.orch(['status', '--project', 'nope']);
    expect(unknownHuman.code).toBe(2);
    expect(unknownHuman.stderr).toMatch(/no project named 'nope' \(known: back, shop\)/);
  });
});

describe('describe', () => {
  it('shows the spec in the file’s terms, env values hidden, instances, and recent events', async () => {
    const port = await freePort();
    sb.write(
      'ecosystem.yaml',
      `
version: 1
name: shop
apps:
  api:
    run: node ${server}
    port: ${port}
    env: { API_KEY: sekret-value, GREETING: hi }
    ready: { type: tcp, timeout: 10s }
  crashy:
    run: [node, ${crash}, '200', '3']
    restart: { policy: never }
    ready: { type: none, delay: 0ms }
`,
    );
    await apply();
    const restart = await sb.orch(['restart', 'api']);
    expect(restart.code, restart.stderr + restart.stdout).toBe(0);

    const crashed = await waitFor(
      async () => {
        const r = await sb.orch(['describe', 'crashy', '--output', 'json']);
        const d = JSON.parse(r.stdout) as DescribeJson;
        return d.events.some((e) => e.type === 'exited') ? d : undefined;
      },
      { what: 'crashy exited event' },
    );
    expect(crashed.events.find((e) => e.type === 'exited')).toMatchObject({ instance: 0, code: 3, signal: null });
    expect(crashed.spec.restart.policy).toBe('never');

    const r = await sb.orch(['describe', 'api', '--output', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout) as DescribeJson;
    expect(d).toMatchObject({ name: 'api', project: 'shop', stopped: false });
    expect(d.spec).toMatchObject({ run: `node ${server}`, cwd: sb.dir, mode: 'fork', port, instances: 1 });
    expect(d.spec.env).toEqual({ API_KEY: null, GREETING: null });
    expect(d.instances).toHaveLength(1);
    expect(d.instances[0]!.state).toBe('online');
    // Started, ready, then the restart: exited (asked), started, ready.
    const types = d.events.map((e) => e.type);
    expect(types.filter((t) => t === 'started')).toHaveLength(2);
    expect(types.filter((t) => t === 'ready')).toHaveLength(2);
    expect(types).toContain('exited');
    expect(d.events.find((e) => e.type === 'started')!.pid).toBeTypeOf('number');
    expect(Date.parse(d.events[0]!.time)).toBeGreaterThan(0);

    const shown = await sb.orch(['describe', 'api', '--show-env', '--output', 'json']);
    expect((JSON.parse(shown.stdout) as DescribeJson).spec.env).toEqual({ API_KEY: 'sekret-value', GREETING: 'hi' });

    for (const verb of ['describe', 'show', 'info']) {
      const h = await sb.orch([verb, 'api']);
      expect(h.code, h.stderr).toBe(0);
      expect(h.stdout).toMatch(/^run:\s+node /m);
      expect(h.stdout).toMatch(/^mode:\s+fork/m);
      expect(h.stdout).toMatch(/API_KEY/);
      expect(h.stdout).not.toMatch(/sekret-value/);
      expect(h.stdout).toMatch(/EVENTS/);
      expect(h.stdout).toMatch(/ready/);
    }
    const missing = await sb.orch(['describe', 'nope']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no app named 'nope'/);
  });
});

describe('scale', () => {
  it('changes the instance count now, says whether it interrupts, and the next diff shows the drift', async () => {
    sb.write('ecosystem.yaml', workers(['jobs']));
    await apply();
    const up = await sb.orch(['scale', 'jobs', '3']);
    expect(up.code, up.stderr + up.stdout).toBe(0);
    expect(up.stdout).toMatch(/scale jobs 1 → 3: no interruption/);
    const s = await status();
    expect(appOf(s, 'jobs').instances.map((i) => i.state)).toEqual(['online', 'online', 'online']);

    const diff = await sb.orch(['diff']);
    expect(diff.code, diff.stderr + diff.stdout).toBe(1);
    expect(diff.stdout).toMatch(/jobs/);
    expect(diff.stdout).toMatch(/3 → 1|instances: 3 → 1/);

    const down = await sb.orch(['scale', 'jobs', '0', '--output', 'json']);
    expect(down.code, down.stderr).toBe(0);
    expect(JSON.parse(down.stdout)).toMatchObject({ app: 'jobs', type: 'scale', ok: true, interrupts: true });
    expect(appOf(await status(), 'jobs').instances).toHaveLength(0);

    const human = await sb.orch(['scale', 'jobs', '1']);
    expect(human.stdout).toMatch(/scale jobs 0 → 1: no interruption/);
    const again = await sb.orch(['scale', 'jobs', '0']);
    expect(again.stdout).toMatch(/scale jobs 1 → 0: interrupts service/);

    const bad = await sb.orch(['scale', 'jobs', 'many']);
    expect(bad.code).toBe(2);
  });
});

describe('verbs over several apps and all', () => {
  it('restart a b, stop all, start all, reload all; an unknown name refuses before acting', async () => {
    sb.write('ecosystem.yaml', workers(['alpha', 'beta', 'gamma']));
    await apply();
    const before = await status();
    const pid = (s: StatusJson, n: string) => appOf(s, n).instances[0]!.pid;

    const r = await sb.orch(['restart', 'alpha', 'beta']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    // Every label first, then the results.
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^restart alpha: interrupts service/);
    expect(lines[1]).toMatch(/^restart beta: interrupts service/);
    const after = await status();
    expect(pid(after, 'alpha')).not.toBe(pid(before, 'alpha'));
    expect(pid(after, 'beta')).not.toBe(pid(before, 'beta'));
    expect(pid(after, 'gamma')).toBe(pid(before, 'gamma'));

    const refused = await sb.orch(['stop', 'alpha', 'nope']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/no app named 'nope'/);
    expect(appOf(await status(), 'alpha').stopped).toBe(false);

    const stop = await sb.orch(['stop', 'all', '--output', 'json']);
    expect(stop.code, stop.stderr).toBe(0);
    const stopped = JSON.parse(stop.stdout) as { app: string; ok: boolean; interrupts: boolean }[];
    expect(stopped.map((x) => [x.app, x.ok])).toEqual([
      ['alpha', true],
      ['beta', true],
      ['gamma', true],
    ]);
    expect((await status()).apps.every((a) => a.stopped)).toBe(true);

    const start = await sb.orch(['start', 'all']);
    expect(start.code, start.stderr + start.stdout).toBe(0);
    expect((await status()).apps.every((a) => !a.stopped && a.instances[0]!.state === 'online')).toBe(true);

    const reload = await sb.orch(['reload', 'all']);
    expect(reload.code, reload.stderr + reload.stdout).toBe(0);
    expect(reload.stdout).toMatch(/reload gamma/);
  });

  it('exits 3 when one of several apps fails', async () => {
    sb.write(
      'ecosystem.yaml',
      `${workers(['good'])}  bad:\n    run: [node, ${crash}, '100', '1']\n    restart: { policy: never }\n    ready: { type: none, delay: 2s }\n`,
    );
    await sb.orch(['apply']);
    const r = await sb.orch(['restart', 'good', 'bad']);
    expect(r.code, r.stderr + r.stdout).toBe(3);
    expect(r.stdout).toMatch(/good/);
    expect(r.stdout).toMatch(/bad/);
  });

  it("orch start app.js says how to run a script", async () => {
    sb.write('ecosystem.yaml', workers(['alpha']));
    await apply();
    const r = await sb.orch(['start', 'app.js']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no app named 'app.js'; to run a script, declare it in an ecosystem file: orch init app.js/);
    const path = await sb.orch(['start', 'src/server.js']);
    expect(path.stderr).toMatch(/no app named 'src\/server.js'; to run a script, declare it in an ecosystem file: orch init src\/server.js/);
  });

  it("refuses an app named 'all' at validation", async () => {
    sb.write('ecosystem.yaml', workers(['all']));
    const r = await sb.orch(['validate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/apps\.all: .*'all' is reserved/);
  });
});
