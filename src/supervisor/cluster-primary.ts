// One app's cluster primary (bundled to dist/cluster-primary.js, started by the daemon with an
// IPC channel and an empty environment). It forks workers on the daemon's command and reports
// their life; node:cluster shares the listening port and hands connections out round-robin.
// It decides nothing: restarts and readiness are the daemon's.
import cluster, { type Worker } from 'node:cluster';
import type { DaemonToPrimary, ForkCommand, PrimaryToDaemon, ShutdownMessage, WorkerId } from './cluster-protocol.js';

/** How long a worker's output may trail its exit before the exit is reported anyway. */
const OUTPUT_GRACE_MS = 500;
/** When the daemon is gone: how long workers get to drain before the primary kills them. */
const ORPHAN_GRACE_MS = 5000;

cluster.schedulingPolicy = cluster.SCHED_RR;
// Workers get exactly the environment the daemon computed: cluster.fork merges process.env in.
for (const key of Object.keys(process.env)) Reflect.deleteProperty(process.env, key);

const workers = new Map<WorkerId, Worker>();
/** Each worker's shutdown.timeout, told to it with the shutdown message to bound its own drain. */
const shutdownTimeouts = new WeakMap<Worker, number>();
let leaving = false;

const send = (message: PrimaryToDaemon): void => {
  if (process.connected) process.send?.(message);
};

const fork = (cmd: ForkCommand): void => {
  cluster.setupPrimary({ exec: cmd.exec, args: [...cmd.args], execArgv: [...cmd.execArgv], cwd: cmd.cwd, silent: true });
  let worker: Worker;
  try {
    worker = cluster.fork(cmd.env);
  } catch (err) {
    send({ type: 'spawnFailed', id: cmd.id, reason: err instanceof Error ? err.message : String(err) });
    return;
  }
  const pid = worker.process.pid;
  if (pid === undefined) {
    send({ type: 'spawnFailed', id: cmd.id, reason: `cannot start ${cmd.exec}` });
    return;
  }
  workers.set(cmd.id, worker);
  shutdownTimeouts.set(worker, cmd.shutdown.timeoutMs);
  send({ type: 'spawned', id: cmd.id, pid });
  let open = 0;
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let reported = false;
  const report = (): void => {
    if (reported || exit === undefined) return;
    reported = true;
    workers.delete(cmd.id);
    send({ type: 'exited', id: cmd.id, ...exit });
    exitIfEmpty();
  };
  for (const [stream, source] of [['out', worker.process.stdout], ['err', worker.process.stderr]] as const) {
    if (source == null) continue;
    open++;
    source.on('data', (data: Buffer) => send({ type: 'output', id: cmd.id, stream, data }));
    source.once('close', () => {
      if (--open === 0) report();
    });
  }
  worker.process.on('error', () => undefined);
  worker.on('error', () => undefined);
  worker.on('listening', () => send({ type: 'listening', id: cmd.id }));
  worker.on('message', (message: unknown) => {
    if (message === 'ready' || isTyped(message, 'ready')) send({ type: 'ready', id: cmd.id });
    else if (isTyped(message, 'fatal')) {
      const text = typeof (message as { message?: unknown }).message === 'string' ? (message as { message: string }).message : 'fatal error';
      send({ type: 'fatal', id: cmd.id, message: text });
      retire(worker, cmd.shutdown.signal);
      setTimeout(() => worker.process.kill('SIGKILL'), cmd.shutdown.timeoutMs).unref();
    }
  });
  worker.on('exit', (code: number | null, signal: NodeJS.Signals | null) => {
    exit = { code, signal };
    if (open === 0) report();
    else setTimeout(report, OUTPUT_GRACE_MS).unref();
  });
};

const isTyped = (message: unknown, type: string): boolean =>
  typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type;

/**
 * Graceful stop: the worker hears `{type:'shutdown', timeoutMs}`, then `disconnect()` takes it out
 * of the round-robin at once and closes its servers (in-flight requests finish). The shutdown
 * signal follows once it has disconnected (or at once without a channel). The daemon owns SIGKILL.
 *
 * No pause between the two, on purpose. The race that fails keep-alive clients is a worker's
 * server closing an idle connection just as its client sends the next request on it; the cure
 * is on the worker's side (orch/worker `drainHttp`: `Connection: close` on every later response,
 * idle connections closed only after a grace), and it only needs to hear `shutdown` before its
 * server is closed. It does: `shutdown` and the cluster's internal `disconnect` go down the same
 * IPC channel in that order, and the worker emits them in that order (both through
 * process.nextTick), so orch/worker flips to draining, synchronously, before node:cluster's
 * disconnect calls `server.close()`. Connections the primary handed over just before
 * `disconnect()` (a `newconn` already on the channel) arrive before it too, and are answered
 * with `Connection: close`. And while the worker drains, `disconnect()` has already removed it
 * from the round-robin, so a client that leaves it lands on another worker; a pause would only
 * keep sending new connections to a worker that is leaving.
 */
const retire = (worker: Worker, signal: NodeJS.Signals): void => {
  const kill = (): void => {
    if (worker.process.exitCode === null && worker.process.signalCode === null) worker.process.kill(signal);
  };
  if (!worker.isConnected()) return kill();
  try {
    const shutdown: ShutdownMessage = { type: 'shutdown', timeoutMs: shutdownTimeouts.get(worker) };
    worker.send(shutdown);
  } catch {
    // the channel is closing anyway
  }
  worker.once('disconnect', kill);
  worker.disconnect();
};

process.on('message', (message: DaemonToPrimary) => {
  switch (message.type) {
    case 'fork':
      fork(message);
      return;
    case 'stop': {
      const worker = workers.get(message.id);
      if (worker !== undefined) retire(worker, message.signal);
      return;
    }
  }
});

/** The daemon is gone or asked us to go: drain every worker, exit once none is left. */
const leave = (): void => {
  if (leaving) return;
  leaving = true;
  for (const worker of workers.values()) retire(worker, 'SIGTERM');
  setTimeout(() => {
    for (const worker of workers.values()) worker.process.kill('SIGKILL');
    process.exit(0);
  }, ORPHAN_GRACE_MS).unref();
  exitIfEmpty();
};

function exitIfEmpty(): void {
  if (leaving && workers.size === 0) process.exit(0);
}

// The daemon reaps by process group after its own restart: leave no worker behind it either.
process.on('disconnect', leave);
process.on('SIGTERM', leave);
process.on('SIGINT', leave);

send({ type: 'hello' });
