// A real Supervisor in a temporary ORCH_HOME, with spec builders for the fixture apps and a
// teardown that leaves no process behind even when a test failed half-way.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import type { AppSpec } from '../../../src/config/desired.js';
import { processAlive } from '../../../src/process/process-group.js';
import { Supervisor, type SupervisorOptions } from '../../../src/supervisor/supervisor.js';

export const fixtures = resolve(import.meta.dirname, '../../fixtures/apps');

type Overrides = Partial<Omit<AppSpec, 'restart' | 'shutdown' | 'ready' | 'reload'>> & {
  restart?: Partial<AppSpec['restart']>;
  shutdown?: Partial<AppSpec['shutdown']>;
  ready?: Partial<AppSpec['ready']>;
  reload?: Partial<AppSpec['reload']>;
};

/** A fork-mode spec running `node <fixture> ...args`, with fast test-friendly timings. */
export const nodeApp = (name: string, fixture: string, args: readonly string[] = [], o: Overrides = {}): AppSpec => {
  const base: AppSpec = {
    name,
    project: 'test',
    command: [process.execPath, join(fixtures, fixture), ...args],
    shell: false,
    cwd: fixtures,
    instances: 1,
    mode: 'fork',
    port: undefined,
    env: {},
    baseEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    envFile: undefined,
    restart: { policy: 'always', backoff: { initialMs: 100, maxMs: 1000, factor: 2 }, maxRestarts: 10, windowMs: 60_000, minUptimeMs: 1000 },
    shutdown: { signal: 'SIGTERM', timeoutMs: 2000 },
    ready: { type: 'none', path: '/', timeoutMs: 5000, delayMs: 50 },
    reload: { maxSurge: 1, maxUnavailable: 0 },
    watch: undefined,
    dependsOn: [],
    maxMemoryBytes: undefined,
  };
  return {
    ...base,
    ...o,
    restart: { ...base.restart, ...o.restart },
    shutdown: { ...base.shutdown, ...o.shutdown },
    ready: { ...base.ready, ...o.ready },
    reload: { ...base.reload, ...o.reload },
  };
};

export interface Harness {
  readonly home: string;
  readonly supervisor: Supervisor;
  /** Pids a test learned about outside the supervisor's views (grandchildren). */
  readonly extraPids: Set<number>;
  pids(app: string): (number | undefined)[];
  logText(app: string): string;
  teardown(): Promise<void>;
}

export const createHarness = (options: Pick<SupervisorOptions, 'memoryIntervalMs' | 'logs'> = {}): Harness => {
  const home = mkdtempSync(join(tmpdir(), 'orch-sup-'));
  const logger = pino({ level: process.env.ORCH_TEST_LOG ?? 'silent' });
  const supervisor = new Supervisor({ home, logger, ...options });
  const seen = new Set<number>();
  const extraPids = new Set<number>();
  const remember = (): void => {
    for (const app of supervisor.apps()) for (const i of app.instances) if (i.pid !== undefined) seen.add(i.pid);
  };
  // Every pid ever reported, so teardown can kill what a failing test left behind.
  const tracker = setInterval(remember, 50);
  return {
    home,
    supervisor,
    extraPids,
    pids: (app) => {
      remember();
      return supervisor.app(app)?.instances.map((i) => i.pid) ?? [];
    },
    logText: (app) => {
      try {
        return readFileSync(join(home, 'logs', `${app}.log`), 'utf8');
      } catch {
        return '';
      }
    },
    teardown: async () => {
      clearInterval(tracker);
      remember();
      try {
        await supervisor.shutdown();
      } finally {
        for (const pid of [...seen, ...extraPids]) {
          for (const target of [-pid, pid]) {
            try {
              process.kill(target, 'SIGKILL');
            } catch {
              // already gone
            }
          }
        }
        rmSync(home, { recursive: true, force: true });
      }
    },
  };
};

export { processAlive };
