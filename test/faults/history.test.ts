// History is bounded (SPEC §10): 1,000 generations on disk do not slow the daemon's other answers
// while `history` is listed, and applies prune a project down to ORCH_HISTORY_LIMIT; a no-op
// apply records a small entry pointing at the generation it repeats.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppSpec, DesiredState } from '../../src/config/desired.js';
import { DaemonClient } from '../../src/daemon/client.js';
import type { GenerationInfo } from '../../src/daemon/history.js';
import { homePaths } from '../../src/daemon/paths.js';
import { PROTOCOL_VERSION } from '../../src/daemon/protocol.js';
import { emptyState, writeState } from '../../src/daemon/state-store.js';
import { createSandbox, repoRoot, type Sandbox } from '../helpers/sandbox.js';

const worker = join(repoRoot, 'test/fixtures/e2e/worker.js');
/** Sends three `history` requests on one connection; prints the bytes of the three answers, exit 0. */
const LISTER = `
const s = require('node:net').connect(process.argv[1]);
let bytes = 0, lines = 0;
s.on('connect', () => { for (let id = 1; id <= 3; id++) s.write(JSON.stringify({ v: Number(process.argv[2]), id, method: 'history', params: {} }) + '\\n'); });
s.on('data', (d) => { bytes += d.length; for (const b of d) if (b === 10) lines++; if (lines >= 3) { console.log(bytes); process.exit(0); } });
s.on('error', (e) => { console.error(e); process.exit(1); });
`;
const generationFiles = (home: string): string[] => readdirSync(join(home, 'history')).filter((f) => /^\d+\.json$/.test(f));

/** A desired state of ~100 KB: 20 apps with 50 variables each, like a real project's generation. */
const bigDesired = (file: string, n: number): DesiredState => {
  const env = Object.fromEntries(Array.from({ length: 50 }, (_, k) => [`VAR_${k}`, `${n}-${'x'.repeat(90)}`]));
  const app = (k: number) =>
    ({ name: `app${k}`, project: 'shop', command: ['node', worker], shell: false, cwd: '/', instances: 1, mode: 'fork', env, baseEnv: {} }) as unknown as AppSpec;
  return { project: 'shop', file, hash: `hash-${n}`, apps: Array.from({ length: 20 }, (_, k) => app(k)) };
};

/** The on-disk layout of a daemon that recorded `count` generations of 'shop' before history was bounded. */
const seedHistory = async (home: string, file: string, count: number): Promise<void> => {
  mkdirSync(join(home, 'history'), { recursive: true, mode: 0o700 });
  for (let n = 1; n <= count; n++) {
    const desired = bigDesired(file, n);
    const info = { number: n, project: 'shop', time: Date.now() - (count - n) * 1000, file, hash: desired.hash, summary: { create: 0, change: 1, delete: 0 } };
    writeFileSync(join(home, 'history', `${String(n).padStart(6, '0')}.json`), JSON.stringify({ info, desired }), { mode: 0o600 });
  }
  const running: DesiredState = { project: 'shop', file, hash: `hash-${count}`, apps: [] };
  await writeState(join(home, 'state.json'), { ...emptyState(), projects: { shop: running }, generations: { shop: count }, nextGeneration: count + 1 }, emptyState());
};

describe('history with 1,000 generations', () => {
  let sb: Sandbox;
  const clients: DaemonClient[] = [];
  beforeEach(() => {
    sb = createSandbox();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await sb.cleanup();
  });

  it('status answers within 100 ms while history is listed, and applies bound the history dir', async () => {
    const file = join(sb.dir, 'ecosystem.yaml');
    mkdirSync(sb.home, { mode: 0o700 });
    const t0 = performance.now();
    await seedHistory(sb.home, file, 1000);
    console.log(`seeded 1,000 generations (~100 MB) in ${Math.round(performance.now() - t0)} ms`);

    expect((await sb.orch(['daemon', 'start'])).code).toBe(0);
    const paths = homePaths(sb.env);
    const lister = await DaemonClient.connect(paths);
    const prober = await DaemonClient.connect(paths);
    clients.push(lister, prober);

    // Three listings at once from another process (so parsing ~1 MB of answers does not delay this
    // one's clock), while status is asked in a loop here.
    const child = spawn(process.execPath, ['-e', LISTER, paths.socket, String(PROTOCOL_VERSION)], { cwd: sb.dir, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    let listed = false;
    const listing = new Promise<number | null>((resolve) => child.on('exit', resolve)).finally(() => {
      listed = true;
    });
    const times: number[] = [];
    while (!listed || times.length < 20) {
      const s = performance.now();
      await prober.request('status', {});
      times.push(performance.now() - s);
    }
    expect(await listing, out).toBe(0);
    console.log(`status round trips while listing: n=${times.length}, max ${Math.max(...times).toFixed(1)} ms; listed ${out.trim()} bytes`);
    expect(Math.max(...times)).toBeLessThan(100);
    // Nothing is pruned until a new generation is recorded: all 1,000 are listed, oldest first.
    const all = await lister.request('history', {});
    expect(all.map((g) => g.number)).toEqual(Array.from({ length: 1000 }, (_, k) => k + 1));
    expect(await lister.request('history', { project: 'shop' })).toEqual(all);

    // Further applies prune 'shop' to the newest 100 (the default ORCH_HISTORY_LIMIT).
    for (let k = 0; k < 3; k++) {
      sb.write('ecosystem.yaml', `version: 1\nname: shop\napps:\n  w:\n    run: node ${worker}\n    env: { K: "${k}" }\n`);
      const r = await sb.orch(['apply', file]);
      expect(r.code, r.stderr).toBe(0);
    }
    const after = (await lister.request('history', { project: 'shop' })).map((g) => g.number);
    expect(after).toEqual(Array.from({ length: 100 }, (_, k) => k + 904));
    expect(generationFiles(sb.home).length).toBeLessThanOrEqual(101);

    const pruned = await sb.orch(['rollback', '5', '--project', 'shop']);
    expect(pruned.code).toBe(2);
    expect(pruned.stderr).toContain("generation 5 was pruned (ORCH_HISTORY_LIMIT=100 keeps the newest 100 of project 'shop')");
  }, 120_000);
});

describe('a no-op apply', () => {
  let sb: Sandbox;
  beforeEach(() => {
    sb = createSandbox();
  });
  afterEach(async () => {
    await sb.cleanup();
  });

  it('records a small entry pointing at the generation it repeats; rollback and the limit honour it', async () => {
    const env = { ORCH_HISTORY_LIMIT: '3' };
    const write = (k: string) => sb.write('ecosystem.yaml', `version: 1\nname: shop\napps:\n  w:\n    run: node ${worker}\n    env: { K: "${k}" }\n`);
    const file = write('a');
    const apply = async () => {
      const r = await sb.orch(['apply', file], { env });
      expect(r.code, r.stderr).toBe(0);
    };
    const history = async () => JSON.parse((await sb.orch(['history', '--output', 'json'], { env })).stdout) as GenerationInfo[];

    await apply(); // 1
    await apply(); // 2 repeats 1
    const [first, second] = await history();
    expect(first).toMatchObject({ number: 1, project: 'shop', file });
    expect(first!.repeats).toBeUndefined();
    expect(second).toMatchObject({ number: 2, project: 'shop', file, hash: first!.hash, repeats: 1, summary: { create: 0, change: 0, delete: 0 } });
    // No full copy of the desired state for the repeat.
    expect(existsSync(join(sb.home, 'history', '000001.json'))).toBe(true);
    expect(existsSync(join(sb.home, 'history', '000002.json'))).toBe(false);
    expect(statSync(join(sb.home, 'history', 'index.json')).size).toBeLessThan(2000);
    expect((await sb.orch(['history'], { env })).stdout).toMatch(/^2 .*repeats 1/m);

    write('b');
    await apply(); // 3, full
    // rollback with no number: the newest older generation whose file differs, 1 (2 only repeats it).
    const back = await sb.orch(['rollback', '--output', 'json'], { env });
    expect(back.code, back.stderr).toBe(0);
    expect((await history()).at(-1)).toMatchObject({ number: 4, rollbackOf: 1 });
    expect(existsSync(join(sb.home, 'history', '000004.json'))).toBe(true);
    // Rolling back to a repeat entry rolls back to the generation it repeats; that is what runs (4), so 5 repeats 4.
    const toRepeat = await sb.orch(['rollback', '2', '--output', 'json'], { env });
    expect(toRepeat.code, toRepeat.stderr).toBe(0);
    expect((await history()).at(-1)).toMatchObject({ number: 5, rollbackOf: 1, repeats: 4 });

    // ORCH_HISTORY_LIMIT=3: the newest 3 entries of 'shop', and the files of the full ones only.
    write('c');
    await apply(); // 6
    expect((await history()).map((g) => g.number)).toEqual([4, 5, 6]);
    expect(generationFiles(sb.home).sort()).toEqual(['000004.json', '000006.json']);
    const pruned = await sb.orch(['rollback', '2', '--project', 'shop'], { env });
    expect(pruned.code).toBe(2);
    expect(pruned.stderr).toContain("generation 2 was pruned (ORCH_HISTORY_LIMIT=3 keeps the newest 3 of project 'shop')");
    // 5 repeats 4: rolling back to it works from the index entry alone.
    const toFive = await sb.orch(['rollback', '5', '--output', 'json'], { env });
    expect(toFive.code, toFive.stderr).toBe(0);
    expect((await history()).at(-1)).toMatchObject({ number: 7, rollbackOf: 4 });
  }, 120_000);
});
