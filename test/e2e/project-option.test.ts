// SPEC §9 "Every option does what it says": --project is honoured by history and rollback, an
// unknown project or generation exits 2 with its own code, and `orch down` with no daemon
// running removes the project from the persisted state. Driven through the built binary.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAlive } from '../../src/process/proc-stat.js';
import { repoRoot } from '../helpers/sandbox.js';
import { sandboxPerTest } from '../helpers/sandbox-per-test.js';
import { readStatus, type StatusJson } from '../helpers/status.js';
import { waitFor } from '../helpers/wait-for.js';

const worker = join(repoRoot, 'test/fixtures/e2e/worker.js');

interface GenerationJson {
  number: number;
  project: string;
  rollbackOf?: number;
}

const sb = sandboxPerTest();
const status = () => readStatus(sb);
const history = async (...args: string[]): Promise<GenerationJson[]> => {
  const r = await sb.orch(['history', '--output', 'json', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as GenerationJson[];
};
const instanceCount = (s: StatusJson, app: string): number => s.apps.find((a) => a.name === app)?.instances.length ?? 0;

/** Live processes whose environment says they are an instance of `project` (any app). */
const processesOf = (project: string): number[] =>
  readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => {
      try {
        return isAlive(pid) && readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`ORCH_PROJECT=${project}`);
      } catch {
        return false;
      }
    });

// Project names carry the sandbox's name so two test files running at once never see each other's processes.
const project = (name: string) => `${name}-${sb.dir.split('-').at(-1)!.toLowerCase()}`;
const fileOf = (name: string, apps: Record<string, number>) =>
  `version: 1\nname: ${name}\napps:\n${Object.entries(apps)
    .map(([app, n]) => `  ${app}:\n    run: node ${worker}\n    instances: ${n}\n    ready: { type: none, delay: 50ms }\n`)
    .join('')}`;

describe('--project on history and rollback', () => {
  // alpha: gen 1 (a ×1), gen 3 (a ×2); beta: gen 2 (b ×1), gen 4 (b ×2).
  const twoProjects = async () => {
    const alpha = project('alpha');
    const beta = project('beta');
    sb.write('a/ecosystem.yaml', fileOf(alpha, { a: 1 }));
    sb.write('b/ecosystem.yaml', fileOf(beta, { b: 1 }));
    expect((await sb.orch(['apply', 'a/ecosystem.yaml'])).code).toBe(0);
    expect((await sb.orch(['apply', 'b/ecosystem.yaml'])).code).toBe(0);
    sb.write('a/ecosystem.yaml', fileOf(alpha, { a: 2 }));
    sb.write('b/ecosystem.yaml', fileOf(beta, { b: 2 }));
    expect((await sb.orch(['apply', 'a/ecosystem.yaml'])).code).toBe(0);
    expect((await sb.orch(['apply', 'b/ecosystem.yaml'])).code).toBe(0);
    return { alpha, beta };
  };

  it('rollback -p of each project picks that project, with or without a generation number', async () => {
    const { alpha, beta } = await twoProjects();
    expect((await history('-p', alpha)).map((g) => g.number)).toEqual([1, 3]);
    expect((await history('--project', beta)).map((g) => g.number)).toEqual([2, 4]);

    const ra = await sb.orch(['rollback', '-p', alpha]);
    expect(ra.code, ra.stdout + ra.stderr).toBe(0);
    expect(ra.stdout).toMatch(new RegExp(`Rolling ${alpha} back to generation 1`));
    let s = await status();
    expect(instanceCount(s, 'a')).toBe(1);
    expect(instanceCount(s, 'b')).toBe(2);

    const rb = await sb.orch(['rollback', '2', '-p', beta]);
    expect(rb.code, rb.stdout + rb.stderr).toBe(0);
    s = await status();
    expect(instanceCount(s, 'a')).toBe(1);
    expect(instanceCount(s, 'b')).toBe(1);
    expect((await history('-p', beta)).at(-1)).toMatchObject({ project: beta, rollbackOf: 2 });
  });

  it("rollback N -p P of another project's generation exits 2 and changes nothing", async () => {
    const { alpha, beta } = await twoProjects();
    const before = await history();
    const r = await sb.orch(['rollback', '2', '-p', alpha]);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain(`generation 2 belongs to project '${beta}', not '${alpha}'`);
    expect(await history()).toEqual(before);
    const s = await status();
    expect(instanceCount(s, 'a')).toBe(2);
    expect(instanceCount(s, 'b')).toBe(2);

    const json = await sb.orch(['rollback', '2', '-p', alpha, '--output', 'json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: 'ORCH_UNKNOWN_GENERATION' } });
  });

  it('history -p and rollback -p of an unknown project exit 2 naming the known ones', async () => {
    const { alpha, beta } = await twoProjects();
    const known = [alpha, beta].sort().join(', ');
    for (const args of [['history', '-p', 'nope'], ['rollback', '-p', 'nope'], ['rollback', '1', '-p', 'nope']]) {
      const r = await sb.orch(args);
      expect(r.code, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(`no project named 'nope' (known: ${known})`);
    }
    const json = await sb.orch(['history', '-p', 'nope', '--output', 'json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: 'ORCH_UNKNOWN_PROJECT' } });
  });

  it('rollback of a generation that does not exist exits 2 with ORCH_UNKNOWN_GENERATION', async () => {
    await twoProjects();
    const r = await sb.orch(['rollback', '99', '--output', 'json']);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({ ok: false, error: { code: 'ORCH_UNKNOWN_GENERATION', message: "no generation 99 (see 'orch history')" } });
    const human = await sb.orch(['rollback', '99']);
    expect(human.code).toBe(2);
    expect(human.stderr).toContain("orch: no generation 99 (see 'orch history')");
  });
});

describe('down with no daemon running', () => {
  it('removes the project from the persisted state: the next daemon brings none of it back', async () => {
    const shop = project('shop');
    const other = project('other');
    sb.write('shop/ecosystem.yaml', fileOf(shop, { web: 2, mailer: 1 }));
    sb.write('other/ecosystem.yaml', fileOf(other, { keeper: 1 }));
    // shop first: the daemon resurrects projects in the order they were applied, so once `keeper`
    // is back, shop's turn has passed.
    expect((await sb.orch(['apply', 'shop/ecosystem.yaml'])).code).toBe(0);
    expect((await sb.orch(['apply', 'other/ecosystem.yaml'])).code).toBe(0);
    expect((await sb.orch(['daemon', 'stop'])).code).toBe(0);

    const r = await sb.orch(['down', 'shop/ecosystem.yaml']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`Removed project '${shop}' (2 apps) from the persisted state; no daemon was running.`);
    // No daemon was started for it.
    expect(JSON.parse((await sb.orch(['daemon', 'status', '--output', 'json'])).stdout)).toMatchObject({ running: false });

    await waitFor(async () => (await status()).apps.find((a) => a.name === 'keeper')?.instances[0]?.state === 'online', { what: 'keeper resurrected' });
    const s = await status();
    expect(s.apps.map((a) => a.name)).toEqual(['keeper']);
    expect(processesOf(shop)).toEqual([]);
    expect(processesOf(other)).toHaveLength(1);
  });

  it('a project in neither the daemon nor the state: nothing to stop, exit 0, JSON []', async () => {
    sb.write('ecosystem.yaml', fileOf(project('ghost'), { a: 1 }));
    const r = await sb.orch(['down']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Nothing to stop/);
    const json = await sb.orch(['down', '--output', 'json']);
    expect(JSON.parse(json.stdout)).toEqual([]);
  });

  it('JSON lists the removed apps as deletes', async () => {
    const shop = project('shop');
    sb.write('ecosystem.yaml', fileOf(shop, { web: 1, mailer: 1 }));
    expect((await sb.orch(['apply'])).code).toBe(0);
    expect((await sb.orch(['daemon', 'stop'])).code).toBe(0);
    const r = await sb.orch(['down', '--output', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { app: 'mailer', type: 'delete', status: 'ok', ok: true },
      { app: 'web', type: 'delete', status: 'ok', ok: true },
    ]);
    expect((await status()).apps).toEqual([]);
  });
});
