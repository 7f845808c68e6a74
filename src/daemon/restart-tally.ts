// One instance's restarts by reason, for orch_process_restarts_total: the counts always add up to
// the instance's `restarts` (the RESTARTS of `orch status`: every process after the first, whoever
// asked) as last seen. The events say which restarts were crashes (`restarting` carries the new
// count) and which memory restarts are on their way (`memory-restart`, before the new start); every
// other restart was asked for (restart, start, an apply's or the dashboard's). Pure.

/** Why an instance was restarted: `crash` (after its back-off), `memory` (over max_memory), `restart` (asked for). */
export const RESTART_REASONS = ['crash', 'memory', 'restart'] as const;
export type RestartReason = (typeof RESTART_REASONS)[number];

export interface RestartTally {
  readonly counts: Readonly<Record<RestartReason, number>>;
  /** The instance's `restarts` the counts account for. */
  readonly seen: number;
  /** Memory restarts announced whose new start is not seen yet. */
  readonly memoryPending: number;
}

export const emptyTally: RestartTally = { counts: { crash: 0, memory: 0, restart: 0 }, seen: 0, memoryPending: 0 };

/**
 * The instance's `restarts` is `current` now: each restart not yet counted is a pending memory
 * restart, else an asked-for one. A count below the one seen is a new instance on the same index
 * (scaled down, then up): its tally starts over. Returns `t` itself when nothing changed.
 */
export const settleRestarts = (t: RestartTally, current: number): RestartTally => {
  const base = current < t.seen ? emptyTally : t;
  const unseen = current - base.seen;
  if (unseen <= 0) return base;
  const memory = Math.min(unseen, base.memoryPending);
  return {
    counts: { ...base.counts, memory: base.counts.memory + memory, restart: base.counts.restart + unseen - memory },
    seen: current,
    memoryPending: base.memoryPending - memory,
  };
};

/** A `restarting` event: the crash restart that made the instance's count `restarts`. */
export const countCrashRestart = (t: RestartTally, restarts: number): RestartTally => {
  const before = settleRestarts(t, restarts - 1);
  return { ...before, counts: { ...before.counts, crash: before.counts.crash + 1 }, seen: restarts };
};

/** A `memory-restart` event: the instance is stopped and will be started again. */
export const announceMemoryRestart = (t: RestartTally): RestartTally => ({ ...t, memoryPending: t.memoryPending + 1 });
