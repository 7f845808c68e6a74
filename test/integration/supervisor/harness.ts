// A real Supervisor in a temporary ORCH_HOME, with spec builders for the fixture apps and a
// teardown that leaves no process behind even when a test failed half-way.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import type { AppSpec } from '../../../src/config/desired.js';
import { isAlive as processAlive } from '../../../src/process/proc-stat.js';
import { Supervisor, type SupervisorOptions } from '../../../src/supervisor/supervisor.js';
import { defaultApp, type SpecOverrides, withOverrides } from '../../helpers/spec.js';

export const fixtures = resolve(import.meta.dirname, '../../fixtures/apps');

/**
 * A fork-mode spec running `node <fixture> ...args`: the normalizer's defaults (SPEC §3) with fast
 * test-friendly timings. WARNING: `ready.type` stays `none` whatever mode an override sets.
 */
export const nodeApp = (name: string, fixture: string, args: readonly string[] = [], o: SpecOverrides = {}): AppSpec => {
  const command = [process.execPath, join(fixtures, fixture), ...args];
  const normalized = defaultApp({ name, project: 'test', run: command, fileDir: fixtures, baseEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  const base = withOverrides(normalized, {
    restart: { backoff: { ...normalized.restart.backoff, maxMs: 1000 } },
    shutdown: { timeoutMs: 2000 },
    ready: { timeoutMs: 5000, delayMs: 50 },
  });
  return withOverrides(base, o);
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

/** `logger`: the daemon's log, for a test that reads it (silent by default, or ORCH_TEST_LOG's level). */
export const createHarness = (options: Partial<Pick<SupervisorOptions, 'memoryIntervalMs' | 'logs' | 'logger'>> = {}): Harness => {
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
