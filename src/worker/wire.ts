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
