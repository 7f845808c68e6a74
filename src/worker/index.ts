// `orch/worker`: the small helper an app may import. Zero dependencies, harmless outside orch.
//   import { ready, onShutdown } from 'orch/worker';
//   server.listen(port, () => ready());
//   onShutdown(() => new Promise((done) => server.close(() => done())));

type ShutdownHandler = () => void | Promise<void>;

const handlers: ShutdownHandler[] = [];
let installed = false;
let shuttingDown = false;

/** Under a cluster primary started by orch (Node sets NODE_UNIQUE_ID in every cluster worker). */
const inOrchCluster = (): boolean => process.env.NODE_UNIQUE_ID !== undefined && process.env.ORCH_APP !== undefined;

const sendToParent = (message: unknown): void => {
  try {
    if (process.connected) process.send?.(message);
  } catch {
    // the channel is closing: nobody is listening any more
  }
};

/**
 * Tells orch this instance is ready (`ready.type: message`): `process.send('ready')` when there
 * is an IPC channel (cluster workers, fork/socket instances with message readiness). Without
 * one it does nothing: `notify` (sd_notify) is not supported by orch, and outside orch there is
 * nobody to tell.
 */
export function ready(): void {
  sendToParent('ready');
}

const runShutdown = async (exitCode: number): Promise<void> => {
  if (shuttingDown) return;
  shuttingDown = true;
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

const isShutdownMessage = (message: unknown): boolean =>
  typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'shutdown';

/**
 * Runs `fn` once when orch stops this instance (the cluster primary's `{type:'shutdown'}`
 * message, or SIGTERM / SIGINT), then exits 0 once every handler resolved (1 if one threw).
 * Handlers run in registration order.
 */
export function onShutdown(fn: ShutdownHandler): void {
  handlers.push(fn);
  if (installed) return;
  installed = true;
  process.on('message', (message: unknown) => {
    if (isShutdownMessage(message)) void runShutdown(0);
  });
  process.once('SIGTERM', () => void runShutdown(0));
  process.once('SIGINT', () => void runShutdown(0));
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
