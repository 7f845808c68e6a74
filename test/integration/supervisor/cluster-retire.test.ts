// SPEC §9: a retiring cluster worker hears shutdown.signal while it still holds its server and
// connections, and its handler runs to its end, whatever retires it (reload, restart, stop,
// scale-down); the operation waits for it (up to shutdown.timeout), and SIGKILL comes only then.
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppSpec } from '../../../src/config/desired.js';
import { freePort } from '../../helpers/ports.js';
import { waitFor } from '../../helpers/wait-for.js';
import { createHarness, type Harness, nodeApp, processAlive } from './harness.js';
import { pidOf } from './shared-port.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.teardown();
  h = undefined;
});

/** How long drain-on-sigterm.js's handler runs before it exits. */
const DRAIN_MS = 1000;

interface Mark {
  readonly listening: boolean;
  readonly ranMs: number;
}

/** Two workers of drain-on-sigterm.js, each writing <marks>/<pid>.json when its handler ends. */
const started = async (o: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<{ spec: AppSpec; marks: () => Map<number, Mark>; termed: (pid: number) => boolean; workers: number[] }> => {
  h = createHarness();
  const dir = join(h.home, 'marks');
  mkdirSync(dir);
  const port = await freePort();
  const spec = nodeApp('drain', 'drain-on-sigterm.js', [], {
    mode: 'cluster',
    port,
    instances: 2,
    ready: { type: 'listening' },
    env: { MARK_DIR: dir, DRAIN_MS: String(DRAIN_MS), ...o.env },
    shutdown: { timeoutMs: o.timeoutMs ?? 5000 },
  });
  expect(await h.supervisor.create(spec)).toEqual({ ok: true });
  const marks = (): Map<number, Mark> =>
    new Map(readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => [Number(f.replace('.json', '')), JSON.parse(readFileSync(join(dir, f), 'utf8')) as Mark]));
  const workers = h.pids('drain').filter((p): p is number => p !== undefined);
  expect(workers).toHaveLength(2);
  const termed = (pid: number): boolean => existsSync(join(dir, `${pid}.term`));
  return { spec, marks, termed, workers };
};

/** Runs `op` and says how long it took. */
const timed = async <T>(op: () => Promise<T>): Promise<{ result: T; ms: number }> => {
  const t0 = Date.now();
  const result = await op();
  return { result, ms: Date.now() - t0 };
};

const expectRanToTheEnd = (marks: Map<number, Mark>, retired: readonly number[]): void => {
  expect([...marks.keys()].sort()).toEqual([...retired].sort());
  for (const mark of marks.values()) {
    // The signal came while the worker still held its server, not after a disconnect closed it.
    expect(mark.listening).toBe(true);
    expect(mark.ranMs).toBeGreaterThanOrEqual(DRAIN_MS - 50);
  }
  for (const pid of retired) expect(processAlive(pid)).toBe(false);
};

describe('a retiring cluster worker', () => {
  it('runs its SIGTERM handler to the end on reload, and the reload waits for it', async () => {
    const { spec, marks, workers } = await started();
    const { result, ms } = await timed(() => h!.supervisor.reload({ ...spec, env: { ...spec.env, V: '2' } }));
    expect(result).toEqual({ ok: true });
    // One worker at a time (max_surge 1): each replacement waits for the old worker's exit.
    expect(ms).toBeGreaterThanOrEqual(2 * DRAIN_MS);
    expectRanToTheEnd(marks(), workers);
    const fresh = h!.pids('drain');
    expect(fresh.some((p) => p !== undefined && workers.includes(p))).toBe(false);
  });

  it('runs its SIGTERM handler on restart and on stop', async () => {
    const { spec, marks, workers } = await started();
    const restart = await timed(() => h!.supervisor.restart(spec));
    expect(restart.result).toEqual({ ok: true });
    expect(restart.ms).toBeGreaterThanOrEqual(DRAIN_MS);
    expectRanToTheEnd(marks(), workers);
    const second = h!.pids('drain').filter((p): p is number => p !== undefined);
    expect(second).toHaveLength(2);
    const stop = await timed(() => h!.supervisor.stop('drain'));
    expect(stop.result).toEqual({ ok: true });
    expect(stop.ms).toBeGreaterThanOrEqual(DRAIN_MS);
    expectRanToTheEnd(marks(), [...workers, ...second]);
  });

  it('runs its SIGTERM handler on scale-down, while the other worker takes every new connection', async () => {
    const { spec, marks, termed, workers } = await started();
    const [kept, dropped] = workers;
    const scaling = timed(() => h!.supervisor.scale({ ...spec, instances: 1 }));
    // While the dropped worker drains it is out of the rotation: new connections go to the other.
    await waitFor(() => termed(dropped!), { what: 'SIGTERM in the dropped worker' });
    for (let k = 0; k < 10; k++) expect(await pidOf(spec.port!)).toBe(kept);
    const { result, ms } = await scaling;
    expect(result).toEqual({ ok: true });
    expect(ms).toBeGreaterThanOrEqual(DRAIN_MS);
    expectRanToTheEnd(marks(), [dropped!]);
    expect(processAlive(kept!)).toBe(true);
  });

  it('exits by itself once drained when its handler neither closes the server nor exits', async () => {
    const { marks, workers } = await started({ env: { THEN: 'nothing' } });
    const stop = await timed(() => h!.supervisor.stop('drain'));
    expect(stop.result).toEqual({ ok: true });
    // Its server and the IPC channel no longer hold it: gone well before the SIGKILL at 5 s.
    expect(stop.ms).toBeLessThan(3500);
    expectRanToTheEnd(marks(), workers);
  });

  it('is SIGKILLed only at shutdown.timeout when its handler never ends', async () => {
    const timeoutMs = 2000;
    const { marks, workers } = await started({ env: { THEN: 'hang' }, timeoutMs });
    const stop = await timed(() => h!.supervisor.stop('drain'));
    expect(stop.result).toEqual({ ok: true });
    expect(stop.ms).toBeGreaterThanOrEqual(timeoutMs);
    expectRanToTheEnd(marks(), workers);
  });
});
