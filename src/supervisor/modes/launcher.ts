// What every mode provides: a Launcher starts one instance's process and hands back a ChildHandle,
// the only view of a process the supervisor core has (fork, cluster and socket modes alike).
import type { AppSpec, ShutdownSpec } from '../../config/desired.js';
import type { StopOutcome } from '../../process/process-group.js';
import type { FreeRestart } from '../restart-policy.js';

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** A process the launcher already started in its place (see `ChildHandle.armRestart`). */
  readonly successor?: Successor;
}

/**
 * A process started in place of one that exited unasked, before the supervisor decided anything:
 * in the exit handler itself (fork and socket modes), or by the cluster primary the instant the
 * worker dies (two IPC hops saved). The runner adopts it as the respawn its policy decided, or
 * refuses it (SIGKILL, well before a node app has run a line) when the policy, or the instance's
 * state, says otherwise.
 */
export interface Successor {
  /** Its launch (under way, or done): what the respawn would have returned. */
  adopt(): Promise<LaunchResult>;
  /** SIGKILLs it; resolves once it was signalled (a launch under way is waited for). */
  refuse(): Promise<void>;
}

/** A live process started for one instance, whatever the mode. */
export interface ChildHandle {
  readonly pid: number;
  /** Resolves when the leader process exited (its pipes may stay open a little longer). */
  readonly exited: Promise<ExitInfo>;
  /** Subscribes to IPC messages (only when the launcher opened a channel); returns an unsubscribe. */
  onMessage(listener: (message: unknown) => void): () => void;
  /** Cluster workers only: resolves on the worker's `listening` event. */
  readonly listening?: Promise<void>;
  /** `ready.type: notify` only: resolves when the process sends READY=1 to its NOTIFY_SOCKET. */
  readonly notified?: Promise<void>;
  /** Graceful stop (shutdown signal, drain, SIGKILL after the timeout); resolves once it is gone. */
  stop(shutdown: ShutdownSpec): Promise<StopOutcome>;
  /**
   * SIGKILL now, without waiting. Also called after an exit nobody asked for: leftovers of the
   * process group must not hold the port against the respawn.
   */
  kill(): void;
  /**
   * Told once after the spawn when an exit of this process would be restarted at once: the
   * launcher may start the replacement sooner than the supervisor would, handing it over as the
   * exit's `successor`. Undefined where it has no such shortcut.
   */
  readonly armRestart?: (free: FreeRestart) => void;
}

export type LaunchResult = { readonly ok: true; readonly child: ChildHandle } | { readonly ok: false; readonly reason: string };

/** How a mode starts one instance. Cluster and socket modes provide their own. */
export interface Launcher {
  launch(spec: AppSpec, index: number): Promise<LaunchResult>;
  /** The port this instance serves (fork: port+index; cluster/socket: the shared port). */
  instancePort(spec: AppSpec, index: number): number | undefined;
  /** Whether two processes of one index may run at once during a rolling reload. */
  canOverlap(spec: AppSpec): boolean;
  /** The app has no instance left to run (stopped, removed, restarting): free what it shares. */
  release(app: string): Promise<void>;
  /** Daemon shutdown: free everything. */
  close(): Promise<void>;
}
