// The free first restart taken ahead (ArmCommand, ExitInfo.successor): an instance killed after
// min_uptime is replaced by a successor started the instant it dies — by the shared primary in
// cluster mode, in the exit handler in fork and socket modes — before the runner's turn; the
// runner adopts it. Everything else (a second crash in the window, a clean exit under on-failure,
// a stop racing the crash) keeps the runner's decision, and no refused successor outlives it.
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Logger, pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppSpec } from '../../../src/config/desired.js';
import { freePort } from '../../helpers/ports.js';
import { waitFor } from '../../helpers/wait-for.js';
import { createHarness, type Harness, nodeApp } from './harness.js';
import { clusterApp, getOnce, socketApp } from './shared-port.js';

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

/** Live processes whose environment names the app (ORCH_APP): its names are unique per test. */
const processesOf = (app: string): number[] =>
  readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`ORCH_APP=${app}`);
      } catch {
        return false;
      }
    });

let seq = 0;
const uniqueName = (): string => `succ${process.pid}n${seq++}`;

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

type Restart = Partial<AppSpec['restart']>;
/** One instance of shared-http.js (GET / and /slow, SIGTERM exits 0) in each mode. */
const modes: [string, (name: string, port: number, restart: Restart) => AppSpec][] = [
  ['cluster', (name, port, restart) => clusterApp(name, port, [], { instances: 1, restart })],
  ['socket', (name, port, restart) => socketApp(name, port, [], { instances: 1, restart })],
  ['fork', (name, port, restart) => nodeApp(name, 'shared-http.js', [], { port, ready: { type: 'tcp' }, restart })],
];

describe.each(modes)('%s mode: the free first restart, taken ahead', (mode, app) => {
  it('replaces an instance killed after min_uptime with a successor started at its exit, whose output is logged', async () => {
    const { lines, logger } = captured();
    h = createHarness({ logger });
    const [name, port] = [uniqueName(), await freePort()];
    await h.supervisor.create(app(name, port, { minUptimeMs: 200 }));
    const p0 = firstPid(name)!;
    const parent = parentOf(p0);
    await sleep(PAST_MIN_UPTIME_MS);
    process.kill(p0, 'SIGKILL');
    const p1 = await replacement(name, p0);
    // The shared primary forked it (cluster), or the daemon did (here: this test process).
    expect(parentOf(p1)).toBe(mode === 'cluster' ? parent : process.pid);
    expect(lines.find((l) => l.msg === 'instance spawned' && l.pid === p1)).toMatchObject({ successor: true });
    expect(h.supervisor.app(name)?.instances[0]).toMatchObject({ restarts: 1, lastExit: { signal: 'SIGKILL' } });
    expect((await getOnce(port, '/slow')).body.trim()).toBe(String(p1));
    await waitFor(() => h?.logText(name).includes(`slow request in ${p1}`), { what: "the successor's output in the app's log" });
  });

  it('waits the back-off for a second crash in the window: nothing is started ahead of it', async () => {
    const { lines, logger } = captured();
    h = createHarness({ logger });
    const [name, port] = [uniqueName(), await freePort()];
    const initialMs = 800;
    await h.supervisor.create(app(name, port, { minUptimeMs: 200, backoff: { initialMs, maxMs: 5000, factor: 2 } }));
    const p0 = firstPid(name)!;
    await sleep(PAST_MIN_UPTIME_MS);
    process.kill(p0, 'SIGKILL');
    const p1 = await replacement(name, p0);
    await sleep(PAST_MIN_UPTIME_MS);
    const killed = Date.now();
    process.kill(p1, 'SIGKILL');
    const p2 = await replacement(name, p1);
    expect(Date.now() - killed).toBeGreaterThanOrEqual(initialMs - 50);
    expect(lines.find((l) => l.msg === 'instance spawned' && l.pid === p2)).not.toHaveProperty('successor');
  });

  it('does not replace an instance that exits cleanly under on-failure', async () => {
    h = createHarness();
    const [name, port] = [uniqueName(), await freePort()];
    await h.supervisor.create(app(name, port, { policy: 'on-failure', minUptimeMs: 100 }));
    const p0 = firstPid(name)!;
    await sleep(PAST_MIN_UPTIME_MS);
    process.kill(p0, 'SIGTERM'); // shared-http.js closes its server and exits 0
    await waitFor(() => state(name) === 'stopped', { what: `${name} stopped` });
    expect(h.supervisor.app(name)?.instances[0]?.lastExit).toMatchObject({ code: 0, signal: null });
    await waitFor(() => processesOf(name).length === 0, { what: `no process of ${name} left` });
  });

  it('leaves no successor behind when a stop races the crash', async () => {
    h = createHarness();
    const [name, port] = [uniqueName(), await freePort()];
    await h.supervisor.create(app(name, port, { minUptimeMs: 100 }));
    const p0 = firstPid(name)!;
    await sleep(PAST_MIN_UPTIME_MS);
    process.kill(p0, 'SIGKILL');
    // The successor may be started before our stop is: the runner must refuse it.
    expect(await h.supervisor.stop(name)).toEqual({ ok: true });
    expect(state(name)).toBe('stopped');
    await waitFor(() => processesOf(name).length === 0, { what: `no process of ${name} left` });
  });
});
