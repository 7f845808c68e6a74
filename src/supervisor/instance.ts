// One instance's lifecycle as data: a discriminated union keyed on `state`, changed only by the
// pure `transition`. The supervisor performs the I/O that follows (spawn, kill, timers).
//
// Illegal or stale events (a timer firing after a stop, a second stop, `ready` for a process
// that already exited) return the SAME instance object: events race in an event-driven daemon,
// and callers detect a no-op with `next === prev` instead of crashing the daemon.
import type { RestartSpec } from '../config/desired.js';
import type { LastExit } from './view.js';
import { type CrashHistory, decideRestart, emptyHistory, exitedCleanly, recordExit } from './restart-policy.js';

interface Common {
  readonly index: number;
  /** Processes started for this instance after the first one. */
  readonly restarts: number;
  readonly lastExit: LastExit | undefined;
  readonly history: CrashHistory;
  /** The last thing that went wrong, in words; cleared by an explicit start. */
  readonly reason: string | undefined;
}

export interface StartingInstance extends Common {
  readonly state: 'starting';
  /** Undefined between the start request and a successful spawn. */
  readonly pid: number | undefined;
  readonly startedAt: number | undefined;
}
export interface OnlineInstance extends Common {
  readonly state: 'online';
  readonly pid: number;
  readonly startedAt: number;
  readonly readyAt: number;
}
export interface StoppingInstance extends Common {
  readonly state: 'stopping';
  readonly pid: number;
  readonly startedAt: number;
  readonly since: number;
  /** Where the exit leads: `errored` when we stop it because it never became ready. */
  readonly then: 'stopped' | 'errored';
}
export interface StoppedInstance extends Common {
  readonly state: 'stopped';
}
export interface BackoffInstance extends Common {
  readonly state: 'backoff';
  /** Epoch ms of the next spawn. */
  readonly until: number;
}
export interface ErroredInstance extends Common {
  readonly state: 'errored';
  readonly reason: string;
}
/** An old process kept serving after a failed rolling reload. */
export interface RollbackInstance extends Common {
  readonly state: 'rollback';
  readonly pid: number;
  readonly startedAt: number;
  readonly reason: string;
}

export type Instance =
  | StartingInstance
  | OnlineInstance
  | StoppingInstance
  | StoppedInstance
  | BackoffInstance
  | ErroredInstance
  | RollbackInstance;

export type InstanceEvent =
  | { readonly type: 'startRequested'; readonly resetHistory: boolean }
  | { readonly type: 'spawned'; readonly pid: number }
  | { readonly type: 'spawnFailed'; readonly reason: string; readonly policy: RestartSpec }
  | { readonly type: 'ready' }
  | { readonly type: 'readyFailed'; readonly reason: string }
  | { readonly type: 'exited'; readonly code: number | null; readonly signal: string | null; readonly policy: RestartSpec }
  | { readonly type: 'stopRequested'; readonly reason?: string }
  | { readonly type: 'backoffElapsed' }
  | { readonly type: 'rolledBack'; readonly reason: string };

export const initialInstance = (index: number): StoppedInstance => ({
  state: 'stopped',
  index,
  restarts: 0,
  lastExit: undefined,
  history: emptyHistory,
  reason: undefined,
});

/** States in which a process of this instance may be alive. */
export const hasProcess = (i: Instance): i is StartingInstance | OnlineInstance | StoppingInstance | RollbackInstance =>
  i.state === 'online' || i.state === 'stopping' || i.state === 'rollback' || (i.state === 'starting' && i.pid !== undefined);

export const describeExit = (code: number | null, signal: string | null): string =>
  signal !== null ? `killed by ${signal}` : code === null ? 'exited' : `exited with code ${code}`;

const common = (i: Instance): Common => ({
  index: i.index,
  restarts: i.restarts,
  lastExit: i.lastExit,
  history: i.history,
  reason: i.reason,
});

const toStarting = (i: Instance, resetHistory: boolean): StartingInstance => ({
  ...common(i),
  ...(resetHistory ? { history: emptyHistory, reason: undefined } : {}),
  // Every process after the first one is a restart, whoever asked for it.
  restarts: i.lastExit === undefined ? i.restarts : i.restarts + 1,
  state: 'starting',
  pid: undefined,
  startedAt: undefined,
});

const toStopping = (
  i: Instance,
  pid: number,
  startedAt: number,
  now: number,
  then: StoppingInstance['then'],
  reason: string | undefined,
): StoppingInstance => ({ ...common(i), reason, state: 'stopping', pid, startedAt, since: now, then });

/**
 * The one answer to "did we ask for this exit?": a process exits in `stopping` only because the
 * supervisor stopped it (stop, restart, reload, a readiness or memory failure).
 */
export const exitRequested = (i: Instance): i is StoppingInstance => i.state === 'stopping';

/**
 * A process ended (or never started): one road for every exit. The history records it once, the
 * restart policy decides from that history; an exit we asked for is no crash and restarts nothing.
 */
const afterExit = (
  i: Instance,
  facts: { code: number | null; signal: string | null; uptimeMs: number; reason: string },
  policy: RestartSpec,
  now: number,
): Instance => {
  const requested = exitRequested(i);
  const exit = { code: facts.code, signal: facts.signal, uptimeMs: facts.uptimeMs, stoppedByUs: requested };
  const history = recordExit(policy, i.history, exit, now);
  const decision = decideRestart(policy, history, exit);
  const base: Common = {
    ...common(i),
    lastExit: { code: facts.code, signal: facts.signal, at: now },
    history,
    reason: requested || exitedCleanly(exit) ? i.reason : facts.reason,
  };
  if (requested) return i.then === 'errored' ? { ...base, state: 'errored', reason: i.reason ?? 'stopped' } : { ...base, state: 'stopped' };
  switch (decision.action) {
    case 'restart':
      return { ...base, state: 'backoff', until: now + decision.delayMs };
    case 'errored':
      return { ...base, state: 'errored', reason: `${decision.reason} (last: ${facts.reason})` };
    case 'stay-stopped':
      return { ...base, state: 'stopped' };
  }
};

export const transition = (i: Instance, e: InstanceEvent, now: number): Instance => {
  switch (e.type) {
    case 'startRequested':
      if (i.state === 'stopped' || i.state === 'errored' || i.state === 'backoff') return toStarting(i, e.resetHistory);
      // A rolled-back instance is a healthy old process: starting it means accepting it.
      if (i.state === 'rollback') {
        const { pid, startedAt } = i;
        return { ...common(i), history: emptyHistory, reason: undefined, state: 'online', pid, startedAt, readyAt: now };
      }
      return i;
    case 'spawned':
      if (i.state !== 'starting' || i.pid !== undefined) return i;
      return { ...i, pid: e.pid, startedAt: now };
    case 'spawnFailed':
      if (i.state !== 'starting' || i.pid !== undefined) return i;
      return afterExit(i, { code: null, signal: null, uptimeMs: 0, reason: e.reason }, e.policy, now);
    case 'ready':
      if (i.state !== 'starting' || i.pid === undefined || i.startedAt === undefined) return i;
      return { ...common(i), state: 'online', pid: i.pid, startedAt: i.startedAt, readyAt: now };
    case 'readyFailed':
      if (i.state !== 'starting') return i;
      if (i.pid === undefined || i.startedAt === undefined) return { ...common(i), state: 'errored', reason: e.reason };
      return toStopping(i, i.pid, i.startedAt, now, 'errored', e.reason);
    case 'exited': {
      if (!hasProcess(i)) return i;
      const what = describeExit(e.code, e.signal);
      const reason = i.state === 'starting' ? `${what} before ready` : what;
      return afterExit(i, { code: e.code, signal: e.signal, uptimeMs: now - (i.startedAt ?? now), reason }, e.policy, now);
    }
    case 'stopRequested':
      if (i.state === 'online' || i.state === 'rollback') return toStopping(i, i.pid, i.startedAt, now, 'stopped', e.reason ?? i.reason);
      if (i.state === 'starting' && i.pid !== undefined && i.startedAt !== undefined) {
        return toStopping(i, i.pid, i.startedAt, now, 'stopped', e.reason ?? i.reason);
      }
      if (i.state === 'starting' || i.state === 'backoff' || i.state === 'errored') return { ...common(i), state: 'stopped' };
      return i;
    case 'backoffElapsed':
      return i.state === 'backoff' ? toStarting(i, false) : i;
    case 'rolledBack':
      if (i.state !== 'online') return i;
      return { ...common(i), state: 'rollback', pid: i.pid, startedAt: i.startedAt, reason: e.reason };
  }
};
