// The supervisor's contract with the reconciler. The daemon holds one Supervisor; the apply
// executor calls these methods and nothing else touches processes.
import type { AppSpec } from '../config/desired.js';
import type { AppView } from './view.js';

/** Resolved when the operation converged; `ok: false` names what did not (exit 3 at the CLI). */
export type OpResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export interface SupervisorApi {
  /** Every supervised app, sorted by name. */
  apps(): readonly AppView[];
  app(name: string): AppView | undefined;
  /** Start a new app's instances; resolves once all are ready, or when one fails/times out. */
  create(spec: AppSpec): Promise<OpResult>;
  /** Change the instance count to spec.instances, touching no other instance. */
  scale(spec: AppSpec): Promise<OpResult>;
  /** Stop every instance, then start new ones with `spec` (interrupts service). */
  restart(spec: AppSpec): Promise<OpResult>;
  /** Rolling replacement within reload.maxSurge / maxUnavailable; rolls back on failure. */
  reload(spec: AppSpec): Promise<OpResult>;
  /** Replace settings that need no new process. */
  update(spec: AppSpec): void;
  /**
   * Start instances that are stopped / errored / rolled back. With `spec` (a plan's start action
   * carries in-place changes), the app takes it first, in the same queued operation.
   */
  start(name: string, spec?: AppSpec): Promise<OpResult>;
  /** Gracefully stop every instance; the app stays known, marked stopped. */
  stop(name: string): Promise<OpResult>;
  /** Gracefully stop every instance and forget the app. */
  remove(name: string): Promise<OpResult>;
  /** Stop everything (daemon shutdown). */
  shutdown(): Promise<void>;
}

/**
 * What happened to an app, as the supervisor saw it (`orch describe` lists the recent ones).
 * Plain JSON; fields a type does not use are absent.
 */
export type AppEventType =
  | 'started' // a process was spawned (pid)
  | 'ready' // its readiness passed
  | 'exited' // it exited (code or signal; requested: orch stopped it; cause: why)
  | 'spawn-failed' // no process could be started (reason)
  | 'ready-failed' // readiness failed or timed out (reason)
  | 'backoff' // a crashed instance waits delayMs before it is started again
  | 'restarting' // a crashed instance is started again after its back-off (restarts)
  | 'errored' // the restart policy gave up (reason)
  | 'memory-restart' // over max_memory: restarted (reason)
  | 'reload-started'
  | 'reload-done'
  | 'rolled-back'; // a rolling reload failed and was rolled back (reason)

export interface AppEvent {
  /** Epoch ms. */
  readonly time: number;
  readonly app: string;
  /** The instance index, null for an event of the whole app (a reload). */
  readonly instance: number | null;
  readonly type: AppEventType;
  readonly pid?: number;
  readonly code?: number | null;
  readonly signal?: string | null;
  readonly requested?: boolean;
  readonly restarts?: number;
  readonly reason?: string;
  /** `backoff`: the wait before the restart, ms. */
  readonly delayMs?: number;
  /** `exited`: why it ended. */
  readonly cause?: ExitCause;
}

/**
 * Why a process ended: `crash` (nobody asked), `stop` (stop, delete, scale down, shutdown),
 * `restart` (a restart, which starts the instance again), `memory` (over max_memory), `reload`
 * (replaced by a rolling reload), `ready-failed` (stopped because its readiness failed).
 */
export type ExitCause = 'crash' | 'stop' | 'restart' | 'memory' | 'reload' | 'ready-failed';

/** The event's own fields; the emitter adds time, app and instance. */
export type AppEventDetail = Omit<AppEvent, 'time' | 'app' | 'instance'>;
