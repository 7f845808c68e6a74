// What happens after an instance's process exits: a pure function of the policy, the crash
// history and the exit. The supervisor carries out the decision (timer, respawn, errored).
import type { RestartSpec } from '../config/desired.js';
import { formatDuration } from '../units.js';

export interface CrashHistory {
  /** Epoch ms of the crashes still inside the policy's window, oldest first. */
  readonly crashes: readonly number[];
  /** Crashes in a row, each after a run shorter than min_uptime: the back-off exponent. */
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
 * The history after this exit. Only exits the policy would restart count as crashes; a run
 * that lasted min_uptime resets the back-off streak.
 */
export const recordExit = (policy: RestartSpec, history: CrashHistory, exit: ExitFacts, now: number): CrashHistory => {
  if (!wantsRestart(policy, exit)) return history;
  const recent = history.crashes.filter((t) => t > now - policy.windowMs);
  const streak = exit.uptimeMs >= policy.minUptimeMs ? 0 : history.consecutive;
  return { crashes: [...recent, now], consecutive: streak + 1 };
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
  return { action: 'restart', delayMs: nextRestartDelay(policy.backoff, recorded.consecutive) };
};
