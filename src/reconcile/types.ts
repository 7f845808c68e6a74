// The reconciler's vocabulary: the actual state the daemon reports, and the plan — a value
// computed by a pure function of (desired, actual), rendered by `diff`, executed by `apply`.
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
}

export interface ActualState {
  /** Every app the daemon supervises, of every project, sorted by name. */
  readonly apps: readonly AppView[];
}

/** One changed field of an app, for display. `secret` fields (env values) render without values. */
export interface FieldChange {
  /** Dotted path in the file's terms: `run`, `env.API_KEY`, `restart.backoff.max`, `instances`. */
  readonly field: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly secret?: boolean;
}

/** Why an app that the file did not change still needs action: state made by imperative commands or crashes. */
export type DriftReason = 'stopped' | 'errored' | 'rollback' | 'missing-instances';

export type Action =
  | { readonly type: 'create'; readonly app: string; readonly spec: AppSpec }
  | { readonly type: 'delete'; readonly app: string; readonly instances: number }
  | {
      readonly type: 'scale';
      readonly app: string;
      readonly spec: AppSpec;
      readonly from: number;
      readonly to: number;
      /** `instances` and any in-place settings that change with it (the spec carries them). */
      readonly changes?: readonly FieldChange[];
    }
  | {
      /** New processes, old ones stopped first: interrupts service. */
      readonly type: 'restart';
      readonly app: string;
      readonly spec: AppSpec;
      readonly changes: readonly FieldChange[];
      readonly instances: number;
    }
  | {
      /** New processes started before old ones stop, behind a shared port: no interruption. */
      readonly type: 'reload';
      readonly app: string;
      readonly spec: AppSpec;
      readonly changes: readonly FieldChange[];
      readonly instances: number;
    }
  | {
      /** Settings the running processes do not see (restart, shutdown, ready, reload, watch...). */
      readonly type: 'update';
      readonly app: string;
      readonly spec: AppSpec;
      readonly changes: readonly FieldChange[];
    }
  | {
      /** Bring a drifted app back: start what was stopped, errored or rolled back. */
      readonly type: 'start';
      readonly app: string;
      readonly spec: AppSpec;
      readonly reason: DriftReason;
      /** In-place settings the file changed meanwhile (the spec carries them); absent when none. */
      readonly changes?: readonly FieldChange[];
    };

export type ActionType = Action['type'];

export interface Plan {
  readonly project: string;
  /** In execution order: creates and starts follow depends_on; deletes come in reverse order. */
  readonly actions: readonly Action[];
}

/** Whether an action interrupts service (SPEC §6: every rendered action says so). */
export const interruptsService = (a: Action): boolean =>
  a.type === 'restart' || a.type === 'delete' || (a.type === 'scale' && a.to < a.from && a.spec.port !== undefined && a.spec.mode === 'fork');
