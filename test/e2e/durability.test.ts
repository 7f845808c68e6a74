// What survives the daemon's death, torn state files, and generations (history / rollback).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAlive } from '../../src/process/proc-stat.js';
import { freePortRange, httpGet } from '../helpers/ports.js';
import { repoRoot } from '../helpers/sandbox.js';
import { sandboxPerTest } from '../helpers/sandbox-per-test.js';
import { readStatus } from '../helpers/status.js';
import { waitFor } from '../helpers/wait-for.js';

const server = join(repoRoot, 'test/fixtures/e2e/server.js');
const worker = join(repoRoot, 'test/fixtures/e2e/worker.js');

const sb = sandboxPerTest();
const status = () => readStatus(sb);
const daemonPid = async (): Promise<number> =>
  (JSON.parse((await sb.orch(['daemon', 'status', '--output', 'json'])).stdout) as { pid: number }).pid;

/** Processes (not zombies) whose environment says they are an instance of `app` in this sandbox's project. */
const instancesOf = (project: string, app: string): number[] =>
  readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => {
      try {
        const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
        return isAlive(pid) && env.includes(`ORCH_PROJECT=${project}`) && env.includes(`ORCH_APP=${app}`);
      } catch {
        return false;
      }
    });

const file = (port: number, delay = 50) => `version: 1
name: durable-${port}
apps:
  web:
    run: node ${server}
    instances: 2
    port: ${port}
  bg:
    run: node ${worker}
    ready: { type: none, delay: ${delay}ms }
`;

describe('daemon death', () => {
  it('after SIGKILL of the daemon, the next command reaps, restarts and reports the truth', async () => {
    const port = await freePortRange(2);
    sb.write('ecosystem.yaml', file(port));
    expect((await sb.orch(['apply'])).code).toBe(0);
    const before = await status();
    const oldPids = before.apps.flatMap((a) => a.instances.map((i) => i.pid!));
    const stateBefore = readFileSync(join(sb.home, 'state.json'), 'utf8');

    process.kill(await daemonPid(), 'SIGKILL');
    const after = await status();

    // Every old instance is gone (reaped), every app runs again with new processes, once.
    for (const pid of oldPids) expect(isAlive(pid)).toBe(false);
    expect(after.apps.map((a) => a.name)).toEqual(['bg', 'web']);
    await waitFor(async () => (await status()).apps.every((a) => a.instances.every((i) => i.state === 'online')), { what: 'all online again' });
    const project = `durable-${port}`;
    expect(instancesOf(project, 'web')).toHaveLength(2);
    expect(instancesOf(project, 'bg')).toHaveLength(1);
    for (const i of [0, 1]) expect((await httpGet(port + i)).status).toBe(200);
    expect(readFileSync(join(sb.home, 'state.json'), 'utf8')).toBe(stateBefore);
    expect((await sb.orch(['diff'])).code).toBe(0);
  });

  it('a daemon killed in the middle of an apply: the next apply converges', async () => {
    const port = await freePortRange(2);
    sb.write('ecosystem.yaml', file(port));
    expect((await sb.orch(['apply'])).code).toBe(0);
    // A slow apply (a new app that becomes ready only after 3 s), killed half-way.
    const slowApp = `  slow:\n    run: node ${worker}\n    ready: { type: none, delay: 3000ms }\n`;
    sb.write('ecosystem.yaml', file(port).replace('instances: 2', 'instances: 1') + slowApp);
    const pid = await daemonPid();
    const slow = sb.orch(['apply']);
    await waitFor(async () => (await status()).apps.some((a) => a.name === 'slow' && a.instances[0]?.state === 'starting'), { what: 'apply under way' });
    process.kill(pid, 'SIGKILL');
    expect((await slow).code).not.toBe(0);

    const again = await sb.orch(['apply']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const s = await status();
    expect(s.apps.find((a) => a.name === 'web')!.instances).toHaveLength(1);
    expect(instancesOf(`durable-${port}`, 'web')).toHaveLength(1);
    expect(instancesOf(`durable-${port}`, 'bg')).toHaveLength(1);
    expect(instancesOf(`durable-${port}`, 'slow')).toHaveLength(1);
    expect((await sb.orch(['diff'])).code).toBe(0);
  });

  it('a state file cut short is detected: the previous good state is used and status says so', async () => {
    const port = await freePortRange(2);
    sb.write('ecosystem.yaml', file(port));
    expect((await sb.orch(['apply'])).code).toBe(0);
    sb.write('ecosystem.yaml', file(port).replace('instances: 2', 'instances: 1'));
    expect((await sb.orch(['apply'])).code).toBe(0);
    expect((await sb.orch(['daemon', 'stop'])).code).toBe(0);

    const state = join(sb.home, 'state.json');
    truncateSync(state, Math.floor(statSync(state).size / 3));
    const s = await status();
    expect(s.warnings.join('\n')).toMatch(/state\.json is damaged .*previous good state/);
    // The previous good state is the first apply: web with 2 instances.
    await waitFor(async () => (await status()).apps.find((a) => a.name === 'web')?.instances.length === 2, { what: 'previous state running' });
    const human = await sb.orch(['status']);
    expect(human.stderr).toMatch(/warning: state file .* is damaged/);
  });
});

describe('history and rollback', () => {
  it('every apply is a generation with the file hash and git commit; rollback re-applies an older one', async () => {
    const port = await freePortRange(2);
    const git = (...args: string[]) => execFileSync('git', args, { cwd: sb.dir, env: { ...sb.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } }).toString().trim();
    git('init', '-q');
    sb.write('ecosystem.yaml', file(port));
    git('add', 'ecosystem.yaml');
    git('commit', '-qm', 'two web instances');
    const first = git('rev-parse', 'HEAD');
    expect((await sb.orch(['apply'])).code).toBe(0);

    sb.write('ecosystem.yaml', file(port).replace('instances: 2', 'instances: 1'));
    git('commit', '-qam', 'one web instance');
    expect((await sb.orch(['apply'])).code).toBe(0);

    const gens = JSON.parse((await sb.orch(['history', '--output', 'json'])).stdout) as { number: number; commit: string; dirty: boolean; hash: string }[];
    expect(gens.map((g) => g.number)).toEqual([1, 2]);
    expect(gens[0]!.commit).toBe(first);
    expect(gens[0]!.dirty).toBe(false);
    expect(gens[0]!.hash).not.toBe(gens[1]!.hash);
    expect((await sb.orch(['history'])).stdout).toMatch(/GEN\s+PROJECT/);

    const rb = await sb.orch(['rollback']);
    expect(rb.code, rb.stdout + rb.stderr).toBe(0);
    expect(rb.stdout).toMatch(/back to generation 1/);
    expect(rb.stdout).toMatch(/scale 1 → 2/);
    const s = await status();
    expect(s.apps.find((a) => a.name === 'web')!.instances).toHaveLength(2);
    expect(s.apps.find((a) => a.name === 'web')!.generation).toBe(3);
    const after = JSON.parse((await sb.orch(['history', '--output', 'json'])).stdout) as { number: number; rollbackOf?: number }[];
    expect(after.at(-1)).toMatchObject({ number: 3, rollbackOf: 1 });
  });
});
