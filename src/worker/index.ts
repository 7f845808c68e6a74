// `orch/worker`: the small helper an app may import. Zero dependencies, harmless outside orch.
//   import { drainHttp, ready, onShutdown } from 'orch/worker';
//   server.listen(port, () => ready());
//   drainHttp(server);                       // keep-alive clients move on without a failed request
//   onShutdown(async () => { await db.close(); });
//   on('config', (data, { from }) => reconfigure(data));   // messages between instances (SPEC §14)
//   await send('agent', 'hello', { pid: process.pid });
import type { Server as HttpServer } from 'node:http';
import { BusClient } from './bus-client.js';
import { httpDrainOf } from './http-drain.js';
import { isShutdownMessage, type WorkerToPrimary } from './wire.js';

type ShutdownHandler = () => void | Promise<void>;
/** What orch said when it asked us to stop (cluster mode sends its `shutdown.timeout`). */
interface ShutdownRequest {
  readonly timeoutMs?: number;
}
type ShutdownStarter = (request: ShutdownRequest) => void;

const handlers: ShutdownHandler[] = [];
/** Run synchronously the instant a shutdown starts, before any (possibly slow) handler. */
const starters: ShutdownStarter[] = [];
let installed = false;
let shuttingDown = false;

/** Under a cluster primary started by orch (Node sets NODE_UNIQUE_ID in every cluster worker). */
const inOrchCluster = (): boolean => process.env.NODE_UNIQUE_ID !== undefined && process.env.ORCH_APP !== undefined;

const sendToParent = (message: WorkerToPrimary): void => {
  try {
    if (process.connected) process.send?.(message);
  } catch {
    // the channel is closing: nobody is listening any more
  }
};

/**
 * Tells orch this instance is ready (`ready.type: message`): `process.send('ready')` when there
 * is an IPC channel (cluster workers, fork/socket instances with message readiness). Without
 * one it does nothing: outside orch there is nobody to tell. (`ready.type: notify` is for apps
 * that speak sd_notify, which Node cannot send without a native addon: use `message`.)
 */
export function ready(): void {
  sendToParent('ready');
}

const runShutdown = async (exitCode: number, request: ShutdownRequest = {}): Promise<void> => {
  if (shuttingDown) return;
  shuttingDown = true;
  for (const start of starters) start(request);
  let code = exitCode;
  for (const handler of handlers) {
    try {
      await handler();
    } catch (err) {
      process.stderr.write(`orch/worker: shutdown handler failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      code = 1;
    }
  }
  process.exit(code);
};

const install = (): void => {
  if (installed) return;
  installed = true;
  process.on('message', (message: unknown) => {
    if (!isShutdownMessage(message)) return;
    const timeoutMs = typeof message.timeoutMs === 'number' && message.timeoutMs > 0 ? message.timeoutMs : undefined;
    void runShutdown(0, { timeoutMs });
  });
  process.once('SIGTERM', () => void runShutdown(0));
  process.once('SIGINT', () => void runShutdown(0));
};

/**
 * Runs `fn` once when orch stops this instance (the cluster primary's `{type:'shutdown'}`
 * message, or SIGTERM / SIGINT), then exits 0 once every handler resolved (1 if one threw).
 * Handlers run in registration order.
 */
export function onShutdown(fn: ShutdownHandler): void {
  handlers.push(fn);
  install();
}

/** Options of {@link drainHttp}. */
export interface DrainHttpOptions {
  /**
   * Once the drain has started, how long a connection may stay idle (no request in flight)
   * before it is closed, in ms. Within that grace a keep-alive client's next request is still
   * served, with `Connection: close`, so the client leaves after a response instead of racing
   * a close. Default 1000.
   */
  readonly idleGraceMs?: number;
  /**
   * The drain's hard bound, in ms: then every connection still open is destroyed, in-flight
   * requests included. Default: orch's `shutdown.timeout` less 10 % where orch tells it
   * (cluster mode), else 30 s. orch SIGKILLs at `shutdown.timeout` anyway.
   */
  readonly timeoutMs?: number;
}

/** The `node:http` / `node:https` server (or anything with their events) {@link drainHttp} drains. */
export type DrainableServer = Pick<HttpServer, 'on' | 'once' | 'prependListener' | 'close' | 'closeIdleConnections' | 'closeAllConnections' | 'listening'>;

/**
 * Drains an HTTP server gracefully when orch stops this instance, so that keep-alive clients
 * (browsers, `fetch`, load balancers, autocannon) see no failed request during a reload. Call it
 * once, with the `http.Server` (or `https.Server`) the app listens with; it registers its own
 * {@link onShutdown} handler, and the process exits once the server has drained (and every other
 * handler resolved).
 *
 * In cluster mode orch already drains every HTTP(S) server a worker creates, the same way (the
 * preload it adds to the worker's node options); drainHttp stays the explicit form, for fork and
 * socket mode, and it joins that same drain rather than adding a second one.
 *
 * Why: a plain `server.close()` (Node ≥ 19) also closes every *idle* keep-alive connection at
 * once, and a client that sends its next request on such a connection at that instant gets
 * ECONNRESET ("other side closed"). HTTP/1.1 has no way to tell an idle client "go away" other
 * than closing, so instead, from the instant orch asks the instance to stop (the cluster `{type:'shutdown'}` message, or SIGTERM / SIGINT):
 *
 * - every response not yet started, and every later one, carries `Connection: close`: a
 *   keep-alive client finishes its request here and opens its next connection to another
 *   instance;
 * - the server stops accepting connections;
 * - an idle connection is closed only after `idleGraceMs` without a request (an active client
 *   sends one before that and is answered with `Connection: close` instead);
 * - the server closes once its last connection is gone; at `timeoutMs` the rest is destroyed.
 *
 * Outside orch nothing happens until SIGTERM / SIGINT, which then drain the server the same way
 * and exit (a second signal kills as usual). A `server.close()` from anywhere else (the app, or
 * a framework) drains the same way instead of cutting idle clients.
 *
 * @returns a function that starts the drain by hand and resolves once the server is closed.
 */
export function drainHttp(server: DrainableServer, options: DrainHttpOptions = {}): () => Promise<void> {
  const drain = httpDrainOf(server, options);
  starters.push((request) => drain.start(request));
  onShutdown(() => drain.close());
  return () => drain.close();
}

/**
 * A cluster worker that hits an uncaught exception tells its primary, which starts its
 * replacement at once and drains this one (no new connections; SIGKILL after shutdown.timeout).
 * The worker then runs its shutdown handlers and exits 1; without handlers, the primary's drain
 * ends it.
 */
const installFatalHandler = (): void => {
  process.on('uncaughtException', (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    if (shuttingDown) return;
    sendToParent({ type: 'fatal', message: err instanceof Error ? err.message : String(err) });
    if (handlers.length > 0) void runShutdown(1);
  });
};

if (inOrchCluster()) installFatalHandler();

// ---- Messages between the instances of a project (SPEC §14), through the daemon's bus. ----

/** What a send or broadcast reached. */
export interface BusDelivery {
  /** How many instances the message was handed to. */
  readonly delivered: number;
  /** How many targets were skipped because they are too slow (their queue in orch was full). */
  readonly dropped: number;
}

/** Who sent a message, and on which topic. */
export interface BusIncoming {
  /** `app#N`. */
  readonly from: string;
  readonly topic: string;
}

let bus: BusClient | undefined;
// Read when first used, not at import: orch sets both for every instance it starts.
const theBus = (): BusClient => (bus ??= new BusClient(process.env.ORCH_BUS, process.env.ORCH_BUS_TOKEN));

/**
 * Sends `data` (anything JSON can carry, at most 256 KiB as JSON) on `topic` to `target`: `'agent'`
 * (the project's `role: agent` app), `'api'` (every running instance of app api) or `'api#2'` (one
 * instance), of this instance's project only. Messages from one process arrive in the order they were
 * sent. The promise rejects (an Error with a `code`) when the target is unknown or in another project
 * (`ORCH_BUS_UNKNOWN_TARGET`), not running or not connected to the bus (`ORCH_BUS_NOT_RUNNING`), too
 * slow to take it (`ORCH_BUS_DROPPED`), when data is too large (`ORCH_BUS_TOO_LARGE`), or outside orch
 * (`ORCH_BUS_UNAVAILABLE`). A target receives a message only on topics it listens to with {@link on}.
 */
export function send(target: string, topic: string, data?: unknown): Promise<BusDelivery> {
  return theBus().send(target, topic, data);
}

/** Sends `data` on `topic` to every instance of this project that listens to it, except this one. */
export function broadcast(topic: string, data?: unknown): Promise<BusDelivery> {
  return theBus().broadcast(topic, data);
}

/**
 * Calls `handler` for every message on `topic` sent to this instance (or broadcast). The bus
 * connection keeps the process alive while a handler is registered.
 * @returns a function that removes the handler.
 */
export function on(topic: string, handler: (data: unknown, message: BusIncoming) => void): () => void {
  return theBus().on(topic, handler);
}

/**
 * Resolves once orch's bus has handled everything this process sent so far: after
 * `on(...)` then `await synced()`, messages on that topic reach this instance. Call it before
 * {@link ready} (or before listening, in cluster mode) so that nothing sent once you count as
 * started is missed.
 */
export function synced(): Promise<void> {
  return theBus().synced();
}
