// Cluster mode only: one port for the workers, a primary, descendants. The reload contract it
// shares with socket mode is in reload-contract.test.ts.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../helpers/ports.js';
import { waitFor } from '../../helpers/wait-for.js';
import { createHarness, type Harness, processAlive } from './harness.js';
import { clusterApp, getOnce, pidOf } from './shared-port.js';

let h: Harness | undefined;
const harness = (): Harness => (h = createHarness());
afterEach(async () => {
  await h?.teardown();
  h = undefined;
});

const states = (app: string): (string | undefined)[] => h?.supervisor.app(app)?.instances.map((i) => i.state) ?? [];
/** A worker's parent: its app's cluster primary. */
const primaryOf = (worker: number): number => Number(readFileSync(`/proc/${worker}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);
const live = (pids: readonly (number | undefined)[]): number[] => pids.filter((p): p is number => p !== undefined);
/**
 * The `sleep` under a `sh` that a shared-http.js `descendant` worker started (both ignore
 * SIGTERM), from the app's log; killed at teardown whatever happens.
 */
const descendantOf = (app: string, worker: number): Promise<number> =>
  waitFor(() => {
    const pid = Number(h?.logText(app).match(new RegExp(`descendant (\\d+) of ${worker}\n`))?.[1]);
    if (Number.isNaN(pid)) return undefined;
    h?.extraPids.add(pid);
    return pid;
  }, { what: `the descendant of worker ${worker}` });

/** The pid of the worker that replaced `old` at `index`, once it is online. */
const replacement = (app: string, index: number, old: number): Promise<number> =>
  waitFor(() => {
    const pid = h?.pids(app)[index];
    return pid !== undefined && pid !== old && states(app)[index] === 'online' ? pid : undefined;
  }, { what: `worker ${index} replaced` });

/** A two-worker `descendant` app, its workers and the sleep each started. */
const withDescendants = async (): Promise<{ spec: ReturnType<typeof clusterApp>; port: number; workers: number[]; descendants: number[] }> => {
  const { supervisor, pids } = harness();
  const port = await freePort();
  const spec = clusterApp('web', port, ['descendant'], { instances: 2 });
  await supervisor.create(spec);
  const workers = live(pids('web'));
  const descendants = await Promise.all(workers.map((w) => descendantOf('web', w)));
  return { spec, port, workers, descendants };
};

describe('cluster mode', () => {
  it('runs workers that share one port, and their pids are the instances', async () => {
    const { supervisor, pids } = harness();
    const port = await freePort();
    expect(await supervisor.create(clusterApp('web', port))).toEqual({ ok: true });
    const workers = live(pids('web'));
    expect(workers).toHaveLength(2);
    const seen = new Set<number>();
    await waitFor(async () => (seen.add(await pidOf(port)), seen.size === 2), { what: 'both workers answering' });
    expect([...seen].sort()).toEqual([...workers].sort());
    expect(supervisor.app('web')?.instances.map((i) => i.port)).toEqual([port, port]);
  });

  it('rolls back a reload whose new workers never report ready within ready.timeout', async () => {
    const { supervisor, pids } = harness();
    const port = await freePort();
    const spec = clusterApp('web', port);
    await supervisor.create(spec);
    const before = pids('web');
    // shared-http.js without `message` never sends 'ready'.
    const silent = clusterApp('web', port, [], { ready: { type: 'message', timeoutMs: 300 } });
    const result = await supervisor.reload(silent);
    expect(result).toEqual({ ok: false, reason: 'reload rolled back: instance 0: not ready within 300ms (message)' });
    expect(pids('web')).toEqual(before);
    expect(live(before)).toContain(await pidOf(port));
  });

  it('replaces a SIGKILLed worker, and scales without touching the other workers', async () => {
    const { supervisor, pids } = harness();
    const port = await freePort();
    const spec = clusterApp('web', port, [], { instances: 2 });
    await supervisor.create(spec);
    const [w0, w1] = live(pids('web'));
    process.kill(w1!, 'SIGKILL');
    const replaced = await replacement('web', 1, w1!);
    expect(pids('web')[0]).toBe(w0);
    expect((await getOnce(port)).status).toBe(200);
    expect(await supervisor.scale({ ...spec, instances: 3 })).toEqual({ ok: true });
    const up = pids('web');
    expect(up.slice(0, 2)).toEqual([w0, replaced]);
    expect(await supervisor.scale({ ...spec, instances: 1 })).toEqual({ ok: true });
    expect(pids('web')).toEqual([w0]);
    expect(processAlive(replaced)).toBe(false);
    expect(await pidOf(port)).toBe(w0);
  });

  it('stops a scaled-down worker with its descendants, and leaves the other worker and its own alone', async () => {
    const { spec, port, workers: [w0, w1], descendants: [d0, d1] } = await withDescendants();
    expect(processAlive(d1!)).toBe(true);
    expect(await h!.supervisor.scale({ ...spec, instances: 1 })).toEqual({ ok: true });
    await waitFor(() => !processAlive(d1!), { what: "the stopped worker's descendant gone" });
    expect(processAlive(w1!)).toBe(false);
    expect(processAlive(d0!)).toBe(true);
    expect(await pidOf(port)).toBe(w0);
  });

  it('takes the descendants of a crashed worker and of reloaded workers with them', async () => {
    const { spec, workers: [, w1], descendants: [d0, d1] } = await withDescendants();
    process.kill(w1!, 'SIGKILL');
    await waitFor(() => !processAlive(d1!), { what: "the crashed worker's descendant gone" });
    expect(processAlive(d0!)).toBe(true);
    const replaced = await replacement('web', 1, w1!);
    const d1b = await descendantOf('web', replaced);
    expect(await h!.supervisor.reload({ ...spec, env: { V: '2' } })).toEqual({ ok: true });
    await waitFor(() => !processAlive(d0!) && !processAlive(d1b), { what: "the reloaded workers' descendants gone" });
    const fresh = live(h!.pids('web'));
    expect(fresh).toHaveLength(2);
    for (const worker of fresh) expect(processAlive(await descendantOf('web', worker))).toBe(true);
  });

  it('treats a dead primary as the exit of every worker and restarts them', async () => {
    const { supervisor, pids } = harness();
    const port = await freePort();
    await supervisor.create(clusterApp('web', port));
    const before = live(pids('web'));
    const primary = primaryOf(before[0]!);
    h?.extraPids.add(primary);
    process.kill(primary, 'SIGKILL');
    await waitFor(() => {
      const now = pids('web');
      return states('web').every((s) => s === 'online') && now.every((p) => p !== undefined && !before.includes(p));
    }, { what: 'workers restarted under a new primary' });
    expect((await getOnce(port)).status).toBe(200);
  });

  it('stops the primary with the app', async () => {
    const { supervisor, pids } = harness();
    const port = await freePort();
    await supervisor.create(clusterApp('web', port, [], { instances: 1 }));
    const [worker] = live(pids('web'));
    const primary = primaryOf(worker!);
    expect(await supervisor.remove('web')).toEqual({ ok: true });
    await waitFor(() => !processAlive(primary), { what: 'primary gone' });
    await expect(getOnce(port)).rejects.toThrow();
  });
});
