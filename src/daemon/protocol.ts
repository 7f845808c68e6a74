// The control protocol: newline-delimited JSON over the unix socket in ORCH_HOME.
// Every request carries the protocol version; a daemon answers a different version with
// ORCH_PROTOCOL_MISMATCH instead of guessing. Long operations stream `event` lines before
// their single final response.
import type { AppSpec, DesiredState } from '../config/desired.js';
import type { ErrorCode } from '../errors.js';
import type { ActualState, AppView } from '../supervisor/view.js';
// What `actual` answers is the supervisor's view (its producer owns it); the CLI reads it from here.
export type { ActualState, AppView, InstanceStateName, InstanceView, LastExit } from '../supervisor/view.js';
import type { ActionResult, ProgressEvent } from '../reconcile/results.js';
import type { Plan } from '../reconcile/types.js';
// Results and progress are produced by reconcile/ (and the daemon's verbs); the CLI reads them from here.
export type { ActionResult, ActionStatus, ProgressEvent } from '../reconcile/results.js';
import type { GenerationInfo } from './history.js';
import type { BusStats } from './bus-targets.js';
import type { LoggedEvent, OrchEvent } from './events.js';

export const PROTOCOL_VERSION = 1;

export interface ProcessStats {
  /** Percent of one core since the previous sample. */
  readonly cpu: number;
  /** Resident set size, bytes. */
  readonly memory: number;
}

export interface ApplyReport {
  readonly plan: Plan;
  readonly results: readonly ActionResult[];
  /** The generation this apply recorded. */
  readonly generation: number;
}

/** Where the applied file came from, as the CLI saw it. */
export interface FileSource {
  readonly commit?: string;
  readonly dirty?: boolean;
}

export interface DaemonInfo {
  readonly protocol: number;
  readonly version: string;
  readonly pid: number;
  readonly home: string;
  readonly startedAt: number;
  /** Problems the daemon found at start (a damaged state file, reaped orphans) that a user should see. */
  readonly warnings: readonly string[];
  /** Where `GET /metrics` is served (`http://127.0.0.1:9464/metrics`), when it is. */
  readonly metricsUrl?: string;
}

/** Where the web dashboard is served (SPEC §12): `url` carries a fresh token in its fragment. */
export interface DashboardInfo {
  readonly url: string;
  readonly host: string;
  readonly port: number;
}

/**
 * What `status` says of an app's spec: what its readers show (status, top, the dashboard). The
 * whole spec, environment included, is `describe`'s: at 1,000 instances it was most of status's
 * bytes.
 */
export type StatusSpec = Pick<AppSpec, 'name' | 'project' | 'mode' | 'port' | 'protocol' | 'reload' | 'instances'>;
export type StatusApp = Omit<AppView, 'spec'> & { readonly spec: StatusSpec };

/** Method name → [params, result]. One entry per daemon verb (PM2's one RPC table, typed). */
export interface Methods {
  hello: [Record<string, never>, DaemonInfo];
  actual: [Record<string, never>, ActualState];
  status: [
    Record<string, never>,
    {
      apps: readonly StatusApp[];
      stats: Record<string, ProcessStats>;
      generations: Record<string, number>;
      warnings: readonly string[];
      /** The message bus (SPEC §14): its socket and, per instance that connected, what it was handed and what was dropped. */
      bus?: BusStats;
    },
  ];
  apply: [{ desired: DesiredState; source?: FileSource }, ApplyReport];
  /** An unknown `project` (no generation, not persisted, not running) fails with ORCH_UNKNOWN_PROJECT. */
  history: [{ project?: string }, readonly GenerationInfo[]];
  /** ORCH_UNKNOWN_GENERATION when `number` does not exist or, with `project`, belongs to another project. */
  rollback: [{ number: number; project?: string }, ApplyReport];
  stop: [{ app: string }, ActionResult];
  start: [{ app: string }, ActionResult];
  restart: [{ app: string }, ActionResult];
  /** `reason`: why (e.g. which file changed), for the daemon's log. */
  reload: [{ app: string; reason?: string }, ActionResult];
  delete: [{ app: string }, ActionResult];
  down: [{ project: string }, readonly ActionResult[]];
  shutdown: [Record<string, never>, { stopped: number }];
  /**
   * One app in full (`orch describe`): its view, the stats of its processes, its project's
   * generation, and its recent events, oldest first (at most EVENTS_PER_APP, since the daemon started).
   */
  describe: [
    { app: string },
    { app: AppView; stats: Record<string, ProcessStats>; generation: number | null; events: readonly OrchEvent[] },
  ];
  /** Imperative: the app runs `instances` now; the persisted desired state keeps the file's count, so the next diff shows drift. */
  scale: [{ app: string; instances: number }, ActionResult];
  /** Empties the log files of `app` (or of every app, deleted ones' leftovers too); ORCH_UNKNOWN_APP when it has neither processes nor logs. */
  flush: [{ app?: string }, { apps: readonly string[] }];
  /**
   * The event log (SPEC §12): every kept event of `app` (or of every app) at or after `since`
   * (epoch ms) and after `after` (a seq, for `orch events -f`), in the order recorded; `last`: the
   * latest seq. ORCH_UNKNOWN_APP for an app with neither processes nor events.
   */
  events: [{ app?: string; since?: number; after?: number }, { events: readonly LoggedEvent[]; last: number }];
  /** The Prometheus text exposition of the metrics (SPEC §12), computed now. */
  metrics: [Record<string, never>, { text: string; contentType: string }];
  /**
   * Serves the web dashboard on `host` (default 127.0.0.1; any other address only when asked) and
   * `port` (default: the running dashboard's, else a random one); each call mints a fresh token.
   */
  dashboard: [{ port?: number; host?: string }, DashboardInfo];
}

export type Method = keyof Methods;
export type Params<M extends Method> = Methods[M][0];
export type Result<M extends Method> = Methods[M][1];

export interface Request<M extends Method = Method> {
  readonly v: number;
  readonly id: number;
  readonly method: M;
  readonly params: Params<M>;
}

export type Response =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: { readonly code: ErrorCode | 'ORCH_INTERNAL'; readonly message: string } }
  | { readonly id: number; readonly event: ProgressEvent };

/**
 * The longest request line the daemon reads (bytes, newline excluded); a longer one gets
 * ORCH_REQUEST_TOO_LARGE and the connection is closed, so one client can hold at most this much of
 * the daemon's memory. `apply` carries the whole desired state and is the largest legal request:
 * 2,000 apps with a few env vars each weigh 1.6 MB (measured), so 8 MiB leaves room for ~10,000.
 */
export const MAX_REQUEST_BYTES = 8 * 1024 * 1024;

/**
 * Methods that run for as long as their work takes (readiness, shutdown timeouts): the CLI gives
 * them the long deadline, extended by each progress event, and checks meanwhile that the daemon
 * still answers `hello`. Every other method must answer within the short deadline.
 */
export const LONG_METHODS: ReadonlySet<Method> = new Set<Method>(['apply', 'rollback', 'stop', 'start', 'restart', 'reload', 'delete', 'down', 'shutdown', 'scale']);
