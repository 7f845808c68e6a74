// What happens after an instance's process exits: a pure function of the policy, the crash
// history and the exit. The supervisor carries out the decision (timer, respawn, errored).
import type { RestartSpec } from '../config/desired.js';
import { formatDuration } from '../units.js';

export interface CrashHistory {
  /** Epoch ms of the crashes still inside the policy's window, oldest first. */
  readonly crashes: readonly number[];
  /**
   * Restarts in the current streak that wait a back-off: the back-off exponent. 0 right after a
   * free restart (see `recordExit`); a long run resets it, each quick crash adds one.
   */
  readonly consecutive: number;
}

export interface ExitFacts {
  readonly code: number | null;
  readonly signal: string | null;
  readonly uptimeMs: number;
  /** True when the supervisor asked for the exit (stop, restart, reload): see `exitRequested` in instance.ts. */
  readonly stoppedByUs: boolean;
}

export type RestartDecision =
  | { readonly action: 'restart'; readonly delayMs: number }
  | { readonly action: 'errored'; readonly reason: string }
  | { readonly action: 'stay-stopped' };

export const emptyHistory: CrashHistory = { crashes: [], consecutive: 0 };

/** A clean exit is code 0 with no signal; a spawn failure (no code, no signal) is a failure. */
export const exitedCleanly = (exit: Pick<ExitFacts, 'code' | 'signal'>): boolean => exit.code === 0 && exit.signal === null;

const wantsRestart = (policy: RestartSpec, exit: ExitFacts): boolean => {
  if (exit.stoppedByUs) return false;
  switch (policy.policy) {
    case 'always':
      return true;
    case 'on-failure':
      return !exitedCleanly(exit);
    case 'never':
      return false;
  }
};

/** initial * factor^(n-1), capped at max; n is the 1-based count of quick crashes in a row. */
export const nextRestartDelay = (backoff: RestartSpec['backoff'], n: number): number =>
  Math.min(backoff.maxMs, backoff.initialMs * backoff.factor ** Math.max(0, n - 1));

/**
 * The history after this exit. Only exits the policy would restart count as crashes. A run that
 * lasted min_uptime resets the back-off streak; if it is also the only crash in the window, its
 * restart is free (no delay, as systemd's and the kubelet's first restart): `initial` is then the
 * delay before the SECOND restart, and the back-off grows from there.
 */
export const recordExit = (policy: RestartSpec, history: CrashHistory, exit: ExitFacts, now: number): CrashHistory => {
  if (!wantsRestart(policy, exit)) return history;
  const recent = history.crashes.filter((t) => t > now - policy.windowMs);
  const ranLong = exit.uptimeMs >= policy.minUptimeMs;
  const consecutive = ranLong ? (recent.length === 0 ? 0 : 1) : history.consecutive + 1;
  return { crashes: [...recent, now], consecutive };
};

/**
 * What follows an exit, from the history that already counts it (`recordExit` first, once per
 * exit): the caller keeps that history and acts on the decision.
 */
export const decideRestart = (policy: RestartSpec, recorded: CrashHistory, exit: ExitFacts): RestartDecision => {
  if (!wantsRestart(policy, exit)) return { action: 'stay-stopped' };
  if (recorded.crashes.length >= policy.maxRestarts) {
    return { action: 'errored', reason: `crashed ${recorded.crashes.length} times in ${formatDuration(policy.windowMs, 's')}` };
  }
  const delayMs = recorded.consecutive === 0 ? 0 : nextRestartDelay(policy.backoff, recorded.consecutive);
  return { action: 'restart', delayMs };
};

/**
 * When an unrequested exit of a process would be restarted at once (a free restart), as data a
 * launcher can act on before the supervisor hears of the exit: an exit at `after` or later is free,
 * unless `onFailureOnly` and it exited cleanly. Every condition is "now ≥ x", so a launcher that
 * judges the exit earlier than the supervisor never says free where the supervisor would not.
 */
export interface FreeRestart {
  /** Epoch ms: started + min_uptime, and the window past the last crash in it. */
  readonly after: number;
  readonly onFailureOnly: boolean;
}

/**
 * The FreeRestart for a process started at `startedAt` with this history, or undefined when no
 * exit of it can be free (policy never, or max_restarts ≤ 1: a first crash already errors).
 * Agrees with `recordExit` then `decideRestart` giving `{ restart, delayMs: 0 }`.
 */
export const freeRestart = (policy: RestartSpec, history: CrashHistory, startedAt: number): FreeRestart | undefined => {
  if (policy.policy === 'never' || policy.maxRestarts <= 1) return undefined;
  const last = history.crashes.at(-1);
  const windowOver = last === undefined ? Number.NEGATIVE_INFINITY : last + policy.windowMs;
  return { after: Math.max(startedAt + policy.minUptimeMs, windowOver), onFailureOnly: policy.policy === 'on-failure' };
};

/** Whether an exit at `at` is free under `free` (the launcher's side of `freeRestart`). */
export const isFreeExit = (free: FreeRestart, exit: { readonly code: number | null; readonly signal: string | null }, at: number): boolean =>
  at >= free.after && !(free.onFailureOnly && exitedCleanly(exit));
