// The graceful drain of one node:http / node:https server, shared by orch/worker's `drainHttp`
// and the preload orch gives every cluster worker (cluster-drain.ts). One drain per server, found
// through a global symbol: an app that calls drainHttp on a server the preload already drains
// gets that same drain (its options win), so the two never fight over one server.
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** What orch said when it asked the instance to stop (cluster mode sends its shutdown.timeout). */
export interface DrainRequest {
  readonly timeoutMs?: number;
}

// Structural twins of index.ts's public DrainHttpOptions / DrainableServer: dist/worker.d.ts is
// transpiled from index.ts alone, so the public types must be declared there.
export interface HttpDrainOptions {
  readonly idleGraceMs?: number;
  readonly timeoutMs?: number;
}
export type DrainTarget = Pick<HttpServer, 'on' | 'once' | 'prependListener' | 'close' | 'closeIdleConnections' | 'closeAllConnections' | 'listening'>;

export interface HttpDrain {
  /** Options given later win (drainHttp's, over the preload's defaults). */
  configure(options: HttpDrainOptions): void;
  /**
   * From now on every response not yet started carries `Connection: close`, a connection idle
   * for `idleGraceMs` is closed, and at the bound every connection left is destroyed. The server
   * keeps its listening socket. Idempotent; a later request with an earlier bound shortens it.
   */
  start(request?: DrainRequest): void;
  /** Resolves once draining and no connection is left (or at the bound), listening or not. */
  readonly idle: Promise<void>;
  /** Starts the drain and closes the listening socket; resolves once closed and idle. */
  close(request?: DrainRequest): Promise<void>;
}

const DEFAULT_IDLE_GRACE_MS = 1000;
const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;
/** Of orch's shutdown.timeout, the share the drain may take before it destroys what is left. */
const TIMEOUT_SHARE = 0.9;
/** Versioned: another orch version's drain on the same server is a different one, and harmless. */
const DRAIN = Symbol.for('orch.httpDrain.v1');

/** The server's drain, made (and its listeners added) on first use. */
export const httpDrainOf = (server: DrainTarget, options: HttpDrainOptions = {}): HttpDrain => {
  const holder = server as DrainTarget & { [DRAIN]?: HttpDrain };
  const existing = holder[DRAIN];
  if (existing !== undefined) {
    existing.configure(options);
    return existing;
  }
  const drain = createHttpDrain(server, options);
  Object.defineProperty(holder, DRAIN, { value: drain });
  return drain;
};

/** A node:http / node:https server (not http2, which has no idle-connection API). */
export const isHttpServer = (server: object): server is DrainTarget =>
  typeof (server as Partial<HttpServer>).closeIdleConnections === 'function' &&
  typeof (server as Partial<HttpServer>).closeAllConnections === 'function';

const createHttpDrain = (server: DrainTarget, initial: HttpDrainOptions): HttpDrain => {
  let options = { ...initial };
  /** Per connection: requests in flight on it and, once draining, its idle timer. */
  const connections = new Map<Socket, { busy: number; idleTimer?: NodeJS.Timeout }>();
  const inFlight = new Set<ServerResponse>();
  let draining = false;
  let deadline = Infinity;
  let hardTimer: NodeJS.Timeout | undefined;
  let resolveIdle!: () => void;
  let resolveClosed!: () => void;
  const idle = new Promise<void>((resolve) => (resolveIdle = resolve));
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));

  const closeWhenIdle = (socket: Socket): void => {
    const state = connections.get(socket);
    if (state === undefined || state.busy > 0 || state.idleTimer !== undefined) return;
    state.idleTimer = setTimeout(() => socket.end(), Math.max(0, options.idleGraceMs ?? DEFAULT_IDLE_GRACE_MS));
    state.idleTimer.unref();
  };
  const settle = (): void => {
    if (!draining || connections.size > 0) return;
    resolveIdle();
    if (!server.listening) resolveClosed();
  };
  const track = (socket: Socket): void => {
    if (connections.has(socket)) return;
    connections.set(socket, { busy: 0 });
    socket.once('close', () => {
      clearTimeout(connections.get(socket)?.idleTimer);
      connections.delete(socket);
      settle();
    });
    if (draining) closeWhenIdle(socket);
  };
  // An https.Server emits 'connection' for the raw TCP socket, but requests on the TLS socket.
  const isTls = typeof (server as { setSecureContext?: unknown }).setSecureContext === 'function';
  server.on(isTls ? 'secureConnection' : 'connection', track);
  // First in line, so that even a response the app ends synchronously carries the header.
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    track(socket);
    const state = connections.get(socket);
    if (state !== undefined) {
      state.busy++;
      clearTimeout(state.idleTimer);
      state.idleTimer = undefined;
    }
    if (draining && !res.headersSent) res.setHeader('Connection', 'close');
    inFlight.add(res);
    res.once('close', () => {
      inFlight.delete(res);
      if (state !== undefined) state.busy = Math.max(0, state.busy - 1);
      if (draining && !socket.destroyed) closeWhenIdle(socket);
    });
  });

  // Node's close() closes idle connections at once: the very race the drain avoids (a client
  // sending its next request on a connection just as it is closed gets ECONNRESET). While
  // draining they get their grace instead, whoever calls close() (us, the app, a framework).
  const closeIdleConnections = server.closeIdleConnections.bind(server);
  const closeServer = server.close.bind(server);
  server.closeIdleConnections = (): void => {
    if (!draining) closeIdleConnections();
  };
  server.close = ((callback?: (err?: Error) => void) => {
    start({});
    return closeServer(callback);
  }) as DrainTarget['close'];
  server.once('close', settle);

  const forceClose = (): void => {
    server.closeAllConnections();
    for (const socket of connections.keys()) socket.destroy();
    // Whatever is left is gone: done, even if 'close' was emitted before we looked.
    setImmediate(() => {
      resolveIdle();
      resolveClosed();
    });
  };
  function start(request: DrainRequest = {}): void {
    const ms = options.timeoutMs ?? (request.timeoutMs !== undefined ? Math.floor(request.timeoutMs * TIMEOUT_SHARE) : DEFAULT_DRAIN_TIMEOUT_MS);
    if (Date.now() + ms < deadline) {
      deadline = Date.now() + ms;
      clearTimeout(hardTimer);
      hardTimer = setTimeout(forceClose, ms).unref();
    }
    if (draining) return;
    draining = true;
    for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
    for (const socket of connections.keys()) closeWhenIdle(socket);
    // Nothing open (no client ever came): drained at once.
    queueMicrotask(settle);
  }

  return {
    configure: (more) => {
      options = { ...options, ...Object.fromEntries(Object.entries(more).filter(([, v]) => v !== undefined)) };
    },
    start,
    idle,
    close: (request = {}) => {
      start(request);
      if (server.listening) closeServer();
      settle();
      return closed;
    },
  };
};
