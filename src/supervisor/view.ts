// The actual state: what the supervisor reports about the apps it runs. Its producer owns it;
// the plan (src/reconcile/) and the daemon read it. Plain JSON.
import type { AppSpec } from '../config/desired.js';

export type InstanceStateName = 'starting' | 'online' | 'stopping' | 'stopped' | 'backoff' | 'errored' | 'rollback';

export interface LastExit {
  readonly code: number | null;
  readonly signal: string | null;
  /** Epoch ms. */
  readonly at: number;
}

/** What the daemon reports about one instance. Plain JSON. */
export interface InstanceView {
  readonly index: number;
  readonly state: InstanceStateName;
  readonly pid: number | undefined;
  /** Epoch ms when the current process started. */
  readonly startedAt: number | undefined;
  readonly restarts: number;
  readonly port: number | undefined;
  readonly lastExit: LastExit | undefined;
  /** Why the instance is errored / in rollback / failed to start, in words. */
  readonly reason: string | undefined;
}

export interface AppView {
  /** The spec the app was last applied (or imperatively started) with. */
  readonly spec: AppSpec;
  /** True after `orch stop <app>`: the app is kept but not run (drift the next diff shows). */
  readonly stopped: boolean;
  readonly instances: readonly InstanceView[];
  /** Output lines dropped because the app's log file could not be written (a full disk); absent means 0. */
  readonly droppedLines?: number;
}

export interface ActualState {
  /** Every app the daemon supervises, of every project, sorted by name. */
  readonly apps: readonly AppView[];
}
