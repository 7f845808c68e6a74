// Cluster mode's shared primary: one process forks the workers of every cluster app of an
// ORCH_HOME that runs on the same node binary, each worker with its own app's settings, and one
// app's trouble (its workers killed, its reloads, the primary's own death) costs the others nothing
// but what the README says.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppSpec } from '../../../src/config/desired.js';
import { freePort } from '../../helpers/ports.js';
import { waitFor } from '../../helpers/wait-for.js';
import { createHarness, fixtures, type Harness, nodeApp, processAlive } from './harness.js';
import { startKeepAliveLoad } from './keepalive-load.js';
import { getOnce, pidOf } from './shared-port.js';

let h: Harness | undefined;
const dirs: string[] = [];
const harness = (): Harness => (h = createHarness());
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'orch-shared-'));
  dirs.push(dir);
  return dir;
};
afterEach(async () => {
  await h?.teardown();
  h = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface Whoami {
  readonly pid: number;
  readonly ppid: number;
  readonly cwd: string;
  readonly execPath: string;
  readonly execArgv: readonly string[];
  readonly argv: readonly string[];
  readonly app: string;
}

const whoami = async (port: number): Promise<Whoami> => JSON.parse((await getOnce(port, '/whoami')).body) as Whoami;
const ppidOf = (pid: number): number => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);
const live = (pids: readonly (number | undefined)[]): number[] => pids.filter((p): p is number => p !== undefined);
const states = (app: string): (string | undefined)[] => h?.supervisor.app(app)?.instances.map((i) => i.state) ?? [];

/** A 2-worker whoami-http.js cluster app: `node [execArgv] <fixture> [args]`, in `cwd`. */
const whoamiApp = (name: string, port: number, o: { project?: string; cwd?: string; node?: string; execArgv?: string[]; args?: string[] } = {}): AppSpec => {
  const base = nodeApp(name, 'whoami-http.js', [], { mode: 'cluster', port, instances: 2, ready: { type: 'listening' } });
  return {
    ...base,
    project: o.project ?? base.project,
    cwd: o.cwd ?? base.cwd,
    command: [o.node ?? process.execPath, ...(o.execArgv ?? []), join(fixtures, 'whoami-http.js'), ...(o.args ?? [])],
  };
};

/** Both apps of a test, created, with their ports. */
const twoApps = async (): Promise<{ a: AppSpec; b: AppSpec; portA: number; portB: number }> => {
  const { supervisor } = harness();
  const [portA, portB] = [await freePort(), await freePort()];
  const a = whoamiApp('a', portA, { project: 'one' });
  const b = whoamiApp('b', portB, { project: 'two' });
  expect(await supervisor.create(a)).toEqual({ ok: true });
  expect(await supervisor.create(b)).toEqual({ ok: true });
  return { a, b, portA, portB };
};

describe('the shared cluster primary', () => {
  it('forks the workers of apps of two projects, each with its own exec, args, node options, cwd and environment', async () => {
    const { supervisor, pids } = harness();
    const [portA, portB] = [await freePort(), await freePort()];
    const cwdA = tempDir();
    const cwdB = tempDir();
    const a = whoamiApp('a', portA, { project: 'one', cwd: cwdA, execArgv: ['--max-old-space-size=96'], args: ['first', 'arg'] });
    const b = whoamiApp('b', portB, { project: 'two', cwd: cwdB, execArgv: ['--no-warnings'] });
    expect(await supervisor.create(a)).toEqual({ ok: true });
    expect(await supervisor.create(b)).toEqual({ ok: true });
    const workers = [...live(pids('a')), ...live(pids('b'))];
    expect(workers).toHaveLength(4);
    expect(new Set(workers.map(ppidOf)).size).toBe(1);

    const [wa, wb] = [await whoami(portA), await whoami(portB)];
    expect([wa.app, wb.app]).toEqual(['a', 'b']);
    expect([wa.cwd, wb.cwd]).toEqual([cwdA, cwdB]);
    expect(wa.argv.slice(1)).toEqual([join(fixtures, 'whoami-http.js'), 'first', 'arg']);
    expect(wb.argv.slice(1)).toEqual([join(fixtures, 'whoami-http.js')]);
    // The drain preload first, then the app's own options, and no other app's.
    for (const [w, own] of [[wa, '--max-old-space-size=96'], [wb, '--no-warnings']] as const) {
      expect(w.execArgv).toHaveLength(3);
      expect(w.execArgv[0]).toBe('--require');
      expect(w.execArgv[1]).toMatch(/cluster-drain\.cjs$/);
      expect(w.execArgv[2]).toBe(own);
      expect(w.execPath).toBe(process.execPath);
    }
    // Each port answers only its own app's workers.
    const seen = { a: new Set<number>(), b: new Set<number>() };
    await waitFor(async () => {
      seen.a.add(await pidOf(portA));
      seen.b.add(await pidOf(portB));
      return seen.a.size === 2 && seen.b.size === 2;
    }, { what: 'both workers of both apps answering' });
    expect([...seen.a].sort()).toEqual(live(pids('a')).sort());
    expect([...seen.b].sort()).toEqual(live(pids('b')).sort());
  });

  it('gives an app that runs another node binary a primary of its own, whose workers run that binary', async () => {
    const { supervisor, pids } = harness();
    const [portA, portB] = [await freePort(), await freePort()];
    const bin = join(tempDir(), 'bin');
    mkdirSync(bin);
    const otherNode = join(bin, 'node');
    copyFileSync(process.execPath, otherNode);
    expect(await supervisor.create(whoamiApp('a', portA))).toEqual({ ok: true });
    expect(await supervisor.create(whoamiApp('b', portB, { node: otherNode }))).toEqual({ ok: true });
    expect((await whoami(portA)).execPath).toBe(process.execPath);
    expect((await whoami(portB)).execPath).toBe(otherNode);
    const [primaryA, primaryB] = [ppidOf(live(pids('a'))[0]!), ppidOf(live(pids('b'))[0]!)];
    expect(primaryA).not.toBe(primaryB);
    expect(readFileSync(`/proc/${primaryB}/cmdline`, 'utf8').split('\0')[0]).toBe(otherNode);
  });

  it("keeps another app's keep-alive clients served while one app's workers are killed and it reloads 3 times", async () => {
    const { a, portA, portB } = await twoApps();
    const { supervisor, pids } = h!;
    const workersB = pids('b');
    const load = startKeepAliveLoad(portB, { loops: 4, maxSockets: 4, maxMs: 60_000 });
    await waitFor(() => load.answered.size === 2, { what: "both of b's workers answering" });
    for (const pid of live(pids('a'))) process.kill(pid, 'SIGKILL');
    await waitFor(() => states('a').every((s) => s === 'online') && live(pids('a')).length === 2, { timeout: 15_000, what: "a's workers replaced" });
    for (let round = 1; round <= 3; round++) expect(await supervisor.reload({ ...a, env: { ROUND: String(round) } })).toEqual({ ok: true });
    expect((await getOnce(portA)).status).toBe(200);
    const result = await load.stop();
    expect(result.failures).toEqual([]);
    expect(result.ok).toBeGreaterThan(100);
    expect(pids('b')).toEqual(workersB);
  }, 90_000);

  it('brings every app it served back on its port after it is SIGKILLed, under a new primary', async () => {
    const { portA, portB } = await twoApps();
    const { pids } = h!;
    const before = [...live(pids('a')), ...live(pids('b'))];
    const primary = ppidOf(before[0]!);
    h!.extraPids.add(primary);
    process.kill(primary, 'SIGKILL');
    await waitFor(() => {
      const now = [...pids('a'), ...pids('b')];
      return [...states('a'), ...states('b')].every((s) => s === 'online') && now.every((p) => p !== undefined && !before.includes(p));
    }, { timeout: 15_000, what: 'both apps restarted under a new primary' });
    const after = [...live(pids('a')), ...live(pids('b'))];
    expect(new Set(after.map(ppidOf)).size).toBe(1);
    expect(ppidOf(after[0]!)).not.toBe(primary);
    expect((await whoami(portA)).app).toBe('a');
    expect((await whoami(portB)).app).toBe('b');
  }, 30_000);

  it('outlives the removal of one app while another uses it, and exits with the last one', async () => {
    const { portA, portB } = await twoApps();
    const { supervisor, pids } = h!;
    const primary = ppidOf(live(pids('a'))[0]!);
    expect(await supervisor.remove('a')).toEqual({ ok: true });
    await expect(getOnce(portA)).rejects.toThrow();
    expect(processAlive(primary)).toBe(true);
    expect((await whoami(portB)).ppid).toBe(primary);
    expect(await supervisor.remove('b')).toEqual({ ok: true });
    await waitFor(() => !processAlive(primary), { what: 'the primary gone with its last app' });
  });
});
