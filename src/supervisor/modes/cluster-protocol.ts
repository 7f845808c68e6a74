// The IPC protocol between the daemon and a shared cluster primary (dist/cluster-primary.js).
// Types only: the primary is bundled on its own and must import nothing heavy. The channel uses
// Node's 'advanced' serialization, so worker output crosses it as bytes.

/** A worker is named by the daemon's id for it (one per launch), never by index or pid. */
export type WorkerId = number;

export interface ForkCommand {
  readonly type: 'fork';
  readonly id: WorkerId;
  /** The app it belongs to: one primary serves several, and output is held back per app. */
  readonly app: string;
  /** The script, its args and the node options before it, from the app's argv. */
  readonly exec: string;
  readonly args: readonly string[];
  readonly execArgv: readonly string[];
  readonly cwd: string;
  /** The worker's whole environment (the primary runs with an empty one). */
  readonly env: Readonly<Record<string, string>>;
  /** Bounds the drain of a worker that reported a fatal error. */
  readonly shutdown: { readonly signal: NodeJS.Signals; readonly timeoutMs: number };
}

/**
 * Graceful stop: the worker leaves the round-robin, hears `{type:'shutdown'}` and then the shutdown
 * signal while it still holds its connections. The daemon SIGKILLs it after shutdown.timeout.
 */
export interface StopCommand {
  readonly type: 'stop';
  readonly id: WorkerId;
  readonly signal: NodeJS.Signals;
}

/**
 * The daemon's restart decision, made ahead (restart-policy.ts, `freeRestart`): if the worker
 * exits unasked at `free.after` or later (and not cleanly when `free.onFailureOnly`), the primary
 * forks its successor at once, with the worker's own command but `successor` as its id and
 * `cgroup` as its cgroup, and reports it with the exit. The daemon adopts or refuses it.
 */
export interface ArmCommand {
  readonly type: 'arm';
  readonly id: WorkerId;
  readonly successor: WorkerId;
  readonly cgroup: string | undefined;
  readonly free: { readonly after: number; readonly onFailureOnly: boolean };
}

export type OutputStream = 'out' | 'err';

/**
 * The daemon's log for one worker stream is behind (`paused: true`) or has caught up. The
 * primary pauses that pipe meanwhile, so the daemon never buffers more than it asked for.
 */
export interface OutputFlowCommand {
  readonly type: 'outputFlow';
  readonly id: WorkerId;
  readonly stream: OutputStream;
  readonly paused: boolean;
}

export type DaemonToPrimary = ForkCommand | StopCommand | OutputFlowCommand | ArmCommand;

export type PrimaryToDaemon =
  | { readonly type: 'hello' }
  | { readonly type: 'spawned'; readonly id: WorkerId; readonly pid: number }
  | { readonly type: 'spawnFailed'; readonly id: WorkerId; readonly reason: string }
  | { readonly type: 'listening'; readonly id: WorkerId }
  /** The worker called process.send('ready'). */
  | { readonly type: 'ready'; readonly id: WorkerId }
  /** The worker hit an uncaught exception: it drains and exits; replace it now. */
  | { readonly type: 'fatal'; readonly id: WorkerId; readonly message: string }
  /** `successor`: the armed successor was forked (its `spawned` came first). */
  | { readonly type: 'exited'; readonly id: WorkerId; readonly code: number | null; readonly signal: NodeJS.Signals | null; readonly successor?: WorkerId }
  | { readonly type: 'output'; readonly id: WorkerId; readonly stream: OutputStream; readonly data: Uint8Array };

// What a worker and the primary say to each other is the worker side's (src/worker stands alone).
export type { DrainingMessage, ShutdownMessage, WorkerToPrimary } from '../../worker/wire.js';
