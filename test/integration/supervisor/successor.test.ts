// Cluster mode's free first restart in the primary (ArmCommand, ExitInfo.successor): a worker
// killed after min_uptime is replaced by a successor the shared primary forks the instant it dies,
// before the daemon hears of it; everything else (a second crash in the window, a clean exit under
// on-failure, a stop racing the crash) keeps the daemon's decision, and no successor outlives it.
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Logger, pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../helpers/ports.js';
import { waitFor } from '../../helpers/wait-for.js';
import { createHarness, type Harness } from './harness.js';
import { clusterApp, getOnce } from './shared-port.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.teardown();
  h = undefined;
});

/** The daemon's log lines, parsed. */
const captured = (): { lines: Record<string, unknown>[]; logger: Logger } => {
  const lines: Record<string, unknown>[] = [];
  return { lines, logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) }) };
};

const parentOf = (pid: number): number => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);

/** Live children of `pid` whose environment names the app (ORCH_APP). */
const workersOf = (primary: number, app: string): number[] => {
  const children = readdirSync(`/proc/${primary}/task`).flatMap((task) => {
    try {
      return readFileSync(`/proc/${primary}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
  return children.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`ORCH_APP=${app}`);
    } catch {
      return false;
    }
  });
};

const firstPid = (app: string): number | undefined => h?.pids(app)[0];
const state = (app: string): string | undefined => h?.supervisor.app(app)?.instances[0]?.state;

/** The pid that replaced `old`, once online. */
const replacement = (app: string, old: number): Promise<number> =>
  waitFor(() => {
    const pid = firstPid(app);
    return pid !== undefined && pid !== old && state(app) === 'online' ? pid : undefined;
  }, { what: `${app} replaced` });

/** Longer than the specs' min_uptime below: the next crash is one of a long run. */
const PAST_MIN_UPTIME_MS = 400;

describe('cluster mode: the free first restart, forked by the primary', () => {
  it('replaces a worker killed after min_uptime with a successor the primary forked, whose output is logged', async () => {
    const { lines, logger } = captured();
    h = createHarness({ logger });
    const port = await freePort();
    await h.supervisor.create(clusterApp('web', port, [], { instances: 1, restart: { minUptimeMs: 200 } }));
    const w0 = firstPid('web')!;
    const primary = parentOf(w0);
    await sleep(PAST_MIN_UPTIME_MS);
    process.kill(w0, 'SIGKILL');
    const w1 = await replacement('web', w0);
    expect(parentOf(w1)).toBe(primary);
    expect(lines.find((l) => l.msg === 'instance spawned' && l.pid === w1)).toMatchObject({ successor: true });
    expect(h.supervisor.app('web')?.instances[0]).toMatchObject({ restarts: 1, lastExit: { signal: 'SIGKILL' } });
    expect((await getOnce(port, '/slow')).body.trim()).toBe(String(w1));
    await waitFor(() => h?.logText('web').includes(`slow request in ${w1}`), { what: "the successor's output in the app's log" });
  });

  it('waits the back-off for a second crash in the window: nothing is forked ahead of it', async () => {
    const { lines, logger } = captured();
    h = createHarness({ logger });
    const port = await freePort();
    const initialMs = 800;
    await h.supervisor.create(clusterApp('web', port, [], { instances: 1, restart: { minUptimeMs: 200, backoff: { initialMs, maxMs: 5000, factor: 2 } } }));
    const w0 = firstPid('web')!;
    await sleep(PAST_MIN_UPTIME_MS);
    process.kill(w0, 'SIGKILL');
    const w1 = await replacement('web', w0);
    await sleep(PAST_MIN_UPTIME_MS);
    const killed = Date.now();
    process.kill(w1, 'SIGKILL');
    const w2 = await replacement('web', w1);
    expect(Date.now() - killed).toBeGreaterThanOrEqual(initialMs - 50);
    expect(lines.find((l) => l.msg === 'instance spawned' && l.pid === w2)).not.toHaveProperty('successor');
  });

  it('does not replace a worker that exits cleanly under on-failure', async () => {
    h = createHarness();
    const [webPort, otherPort] = [await freePort(), await freePort()];
    // Another app keeps the shared primary alive, so its children can be read afterwards.
    await h.supervisor.create(clusterApp('other', otherPort, [], { instances: 1 }));
    await h.supervisor.create(clusterApp('web', webPort, [], { instances: 1, restart: { policy: 'on-failure', minUptimeMs: 100 } }));
    const w0 = firstPid('web')!;
    const primary = parentOf(w0);
    await sleep(PAST_MIN_UPTIME_MS);
    process.kill(w0, 'SIGTERM'); // shared-http.js closes its server and exits 0
    await waitFor(() => state('web') === 'stopped', { what: 'web stopped' });
    expect(h.supervisor.app('web')?.instances[0]?.lastExit).toMatchObject({ code: 0, signal: null });
    await waitFor(() => workersOf(primary, 'web').length === 0, { what: 'no worker of web left under the primary' });
    expect(workersOf(primary, 'other')).toEqual([firstPid('other')]);
  });

  it('leaves no successor behind when a stop races the crash', async () => {
    h = createHarness();
    const [webPort, otherPort] = [await freePort(), await freePort()];
    await h.supervisor.create(clusterApp('other', otherPort, [], { instances: 1 }));
    await h.supervisor.create(clusterApp('web', webPort, [], { instances: 1, restart: { minUptimeMs: 100 } }));
    const w0 = firstPid('web')!;
    const primary = parentOf(w0);
    await sleep(PAST_MIN_UPTIME_MS);
    process.kill(w0, 'SIGKILL');
    // The primary may fork the successor before our stop reaches it: the daemon must refuse it.
    expect(await h.supervisor.stop('web')).toEqual({ ok: true });
    expect(state('web')).toBe('stopped');
    await waitFor(() => workersOf(primary, 'web').length === 0, { what: 'no worker of web left under the primary' });
    expect(workersOf(primary, 'other')).toEqual([firstPid('other')]);
  });
});
