// A fake launcher, children and clock for InstanceRunner tests: what they test is the runner's
// decisions, not a process.
import { pino } from 'pino';
import type { AppSpec, ReadyType } from '../../../src/config/desired.js';
import { InstanceRunner } from '../../../src/supervisor/instance-runner.js';
import type { ChildHandle, ExitInfo, LaunchResult, Launcher, Successor } from '../../../src/supervisor/modes/launcher.js';
import type { ReadinessProbe } from '../../../src/supervisor/readiness.js';
import type { FreeRestart } from '../../../src/supervisor/restart-policy.js';
import type { OpResult } from '../../../src/supervisor/types.js';
import { defaultApp, withOverrides } from '../../helpers/spec.js';

export interface FakeChild {
  readonly handle: ChildHandle;
  readonly armed: FreeRestart[];
  exit(info: ExitInfo): void;
  killed: boolean;
}

let nextPid = 1000;
export const fakeChild = (): FakeChild => {
  let resolveExit!: (e: ExitInfo) => void;
  const exited = new Promise<ExitInfo>((r) => (resolveExit = r));
  const armed: FreeRestart[] = [];
  const child: FakeChild = {
    armed,
    killed: false,
    exit: (info) => resolveExit(info),
    handle: {
      pid: nextPid++,
      exited,
      onMessage: () => () => undefined,
      // The test says when it exits.
      stop: async () => {
        await exited;
        return { killed: false, groupGone: true };
      },
      kill: () => {
        child.killed = true;
      },
      armRestart: (free) => armed.push(free),
    },
  };
  return child;
};

/** A successor that records what the runner made of it. */
export const fakeSuccessor = (): { successor: Successor; child: FakeChild; verdict: () => 'adopted' | 'refused' | undefined } => {
  const child = fakeChild();
  let verdict: 'adopted' | 'refused' | undefined;
  return {
    child,
    verdict: () => verdict,
    successor: {
      adopt: () => {
        verdict = 'adopted';
        return Promise.resolve({ ok: true, child: child.handle });
      },
      refuse: () => {
        verdict = 'refused';
        return Promise.resolve();
      },
    },
  };
};

export const spec = (o: Parameters<typeof withOverrides>[1] = {}): AppSpec =>
  withOverrides(defaultApp({ name: 'web', project: 'test', run: ['/bin/true'], fileDir: '/' }), {
    restart: { minUptimeMs: 1000, windowMs: 60_000, maxRestarts: 5, policy: 'always', backoff: { initialMs: 100, maxMs: 1000, factor: 2 } },
    ...o,
  });

const immediate: ReadinessProbe = () => Promise.resolve();
const probes = Object.fromEntries((['none', 'tcp', 'http', 'message', 'listening', 'notify'] as ReadyType[]).map((t) => [t, immediate])) as Record<ReadyType, ReadinessProbe>;

/** A runner on a fake launcher and clock; respawns wait in `queued` until the test runs them. */
export const setup = (s: AppSpec = spec()) => {
  let clock = 1_000_000;
  const launched: FakeChild[] = [];
  const queued: (() => Promise<OpResult>)[] = [];
  const launcher: Launcher = {
    launch: (): Promise<LaunchResult> => {
      const child = fakeChild();
      launched.push(child);
      return Promise.resolve({ ok: true, child: child.handle });
    },
    instancePort: () => undefined,
    canOverlap: () => false,
    release: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  const runner = new InstanceRunner(s, 0, {
    launcher,
    probes,
    logger: pino({ level: 'silent' }),
    now: () => clock,
    queueRespawn: (task) => queued.push(task),
  });
  return {
    runner,
    launched,
    advance: (ms: number) => (clock += ms),
    /** Lets the exit handler and the respawn scheduling run. */
    settle: () => new Promise((r) => setTimeout(r, 0)),
    runQueued: async () => {
      const tasks = queued.splice(0);
      for (const task of tasks) await task();
    },
  };
};
