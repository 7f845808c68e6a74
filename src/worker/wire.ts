// What a cluster worker and its primary say to each other over the worker's IPC channel. The
// worker side (orch/worker, the drain preload) owns these types; the primary imports them.

/**
 * The primary retires the worker: sent before `signal`, which follows once the worker answered
 * `draining` (or after a short bound). `timeoutMs` is the app's shutdown.timeout.
 */
export interface ShutdownMessage {
  readonly type: 'shutdown';
  readonly timeoutMs?: number;
  readonly signal?: NodeJS.Signals;
}

/** The drain preload heard `shutdown`: its listener for the signal is in place, send it now. */
export interface DrainingMessage {
  readonly type: 'draining';
}

/** What a worker may send its primary. */
export type WorkerToPrimary = 'ready' | { readonly type: 'ready' } | { readonly type: 'fatal'; readonly message?: string } | DrainingMessage;

export const isShutdownMessage = (message: unknown): message is ShutdownMessage =>
  typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'shutdown';

// ---------------------------------------------------------------------------------------------
// The message bus (SPEC §14): line-delimited JSON (one frame per line, UTF-8) over the unix
// socket the daemon names in ORCH_BUS. Every instance, whatever its mode or language, speaks it;
// the daemon (src/daemon/bus.ts) routes. The first frame must be `hello` with ORCH_BUS_TOKEN,
// which tells the daemon which project, app and instance speaks.
//
//   client → bus                                           bus → client
//   {"type":"hello","token":T}                             {"type":"welcome","project","app","instance"}
//   {"type":"subscribe","topic":S,"id"?:N}                 {"type":"ack","id":N,"delivered","dropped"}
//   {"type":"unsubscribe","topic":S,"id"?:N}               {"type":"deliver","from":"app#N","topic","data"}
//   {"type":"send","id":N,"to":"app"|"app#N"|"agent","topic","data"}
//   {"type":"broadcast","id":N,"topic","data"}             {"type":"error","id":N|null,"code","message"}
//   {"type":"ping","id":N}
//
// Frames that carry an `id` are answered by one `ack` or one `error` with that id, in the
// order they were sent. `deliver` reaches only connections subscribed to its topic; a broadcast
// reaches every subscribed instance of the project but the sender.

/** The largest `data` of one message, as JSON bytes. A larger one is ORCH_BUS_TOO_LARGE. */
export const BUS_MAX_DATA_BYTES = 256 * 1024;
/** The largest topic, in characters. */
export const BUS_MAX_TOPIC_LENGTH = 256;

export type BusErrorCode =
  | 'ORCH_BUS_UNAVAILABLE' // not started by orch (no ORCH_BUS), or the bus connection closed
  | 'ORCH_BUS_UNAUTHORIZED' // the first frame was not a hello with a token the daemon issued
  | 'ORCH_BUS_BAD_FRAME' // not JSON, not a frame, or a field of the wrong type
  | 'ORCH_BUS_TOO_LARGE' // data over BUS_MAX_DATA_BYTES (or a frame line over the line bound)
  | 'ORCH_BUS_UNKNOWN_TARGET' // no such app in the sender's project (or the project has no agent)
  | 'ORCH_BUS_NOT_RUNNING' // the app exists, but the instance is stopped or not connected to the bus
  | 'ORCH_BUS_DROPPED'; // every target was too slow: its queue in the daemon was full

export type BusClientFrame =
  | { readonly type: 'hello'; readonly token: string }
  | { readonly type: 'subscribe' | 'unsubscribe'; readonly topic: string; readonly id?: number }
  | { readonly type: 'send'; readonly id: number; readonly to: string; readonly topic: string; readonly data: unknown }
  | { readonly type: 'broadcast'; readonly id: number; readonly topic: string; readonly data: unknown }
  | { readonly type: 'ping'; readonly id: number };

export type BusServerFrame =
  | { readonly type: 'welcome'; readonly project: string; readonly app: string; readonly instance: number }
  | { readonly type: 'ack'; readonly id: number; readonly delivered: number; readonly dropped: number }
  | { readonly type: 'deliver'; readonly from: string; readonly topic: string; readonly data: unknown }
  | { readonly type: 'error'; readonly id: number | null; readonly code: BusErrorCode; readonly message: string };
