// The rolling replacement shared by every mode: which indices to replace together, and in what
// order within one index (new first when surge is allowed, old first otherwise).

export interface RollingStep {
  readonly index: number;
  /** Start the new process before stopping the old one. */
  readonly surge: boolean;
}

export interface RollingLimits {
  readonly maxSurge: number;
  readonly maxUnavailable: number;
  /** False when two processes of one index cannot coexist (fork mode with its own port). */
  readonly canOverlap: boolean;
}

/**
 * Batches of steps: at most `maxSurge` extra processes and `maxUnavailable` missing ones at any
 * time. Like Kubernetes, both at 0 would never progress, so one surge is allowed then.
 */
export const planRollingBatches = (indices: readonly number[], limits: RollingLimits): RollingStep[][] => {
  let surge = limits.canOverlap ? Math.max(0, limits.maxSurge) : 0;
  const unavailable = limits.canOverlap ? Math.max(0, limits.maxUnavailable) : Math.max(1, limits.maxUnavailable);
  if (surge === 0 && unavailable === 0) surge = 1;
  const size = surge + unavailable;
  const batches: RollingStep[][] = [];
  for (let start = 0; start < indices.length; start += size) {
    batches.push(indices.slice(start, start + size).map((index, k) => ({ index, surge: k < surge })));
  }
  return batches;
};

export type StepResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export interface RollingOutcome {
  /** Indices now running the new version. */
  readonly replaced: readonly number[];
  /** The first step that failed; the rollout stopped after its batch. */
  readonly failed: { readonly index: number; readonly reason: string } | undefined;
}

export const runRolling = async (
  batches: readonly (readonly RollingStep[])[],
  replace: (step: RollingStep) => Promise<StepResult>,
): Promise<RollingOutcome> => {
  const replaced: number[] = [];
  for (const batch of batches) {
    const results = await Promise.all(batch.map(async (step) => ({ step, result: await replace(step) })));
    let failed: RollingOutcome['failed'];
    for (const { step, result } of results) {
      if (result.ok) replaced.push(step.index);
      else failed ??= { index: step.index, reason: result.reason };
    }
    if (failed !== undefined) return { replaced, failed };
  }
  return { replaced, failed: undefined };
};
