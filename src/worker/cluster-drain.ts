// Preloaded into every cluster worker orch forks (`--require dist/cluster-drain.cjs`, added by
// the primary before the app's own node options), so that apps that know nothing of orch (plain
// node:http, Express, Koa, Fastify: anything that ends in `server.listen`) are drained on a reload
// as drainHttp drains them. Inert anywhere else: a process the worker forks inherits its options.
//
// It watches every HTTP(S) server that listens. When the primary retires the worker it sends
// `{type:'shutdown', signal, timeoutMs}` and, once we answered `draining`, the signal itself:
// - at `shutdown`: every server drains (Connection: close on each next response, idle
//   connections closed after a grace, all destroyed at 90 % of the timeout); the primary has
//   already taken the worker out of its round-robin, so no new connection comes;
// - at the signal, if the app listens for it: its handler runs and decides when to exit. We only
//   let go of what we hold: the listening sockets and the IPC channel stop holding the process,
//   so it exits by itself once its connections are drained and its handler is done;
// - at the signal, if the app does not: the default would kill it on the spot, in-flight requests
//   and all. We close the servers, wait for the drain, then die of that same signal, as the
//   default would have, only later.
import cluster from 'node:cluster';
import { Server } from 'node:net';
import { type DrainRequest, type HttpDrain, httpDrainOf, isHttpServer } from './http-drain.js';
import { joinCgroup } from './join-cgroup.js';
import { isShutdownMessage, type WorkerToPrimary } from './wire.js';

// WARNING: first, before the app's first instruction: a child it forked before the move would
// stay outside the worker's cgroup, and survive its stop.
if (cluster.isWorker) joinCgroup();

const drains = new Map<Server, HttpDrain>();
let request: DrainRequest | undefined;
let retireSignal: NodeJS.Signals | undefined;

const send = (message: WorkerToPrimary): void => {
  try {
    if (process.connected) process.send?.(message);
  } catch {
    // the channel is closing: nobody is listening any more
  }
};

const watchListen = (): void => {
  const listen = Server.prototype.listen;
  Server.prototype.listen = function (this: Server, ...args: unknown[]) {
    if (isHttpServer(this) && !drains.has(this)) {
      const drain = httpDrainOf(this);
      drains.set(this, drain);
      // Listening only now, while the worker retires: it drains like the others.
      if (request !== undefined) drain.start(request);
    }
    return Reflect.apply(listen, this, args) as Server;
  } as typeof listen;
};

let signalled = false;
const onSignal = (): void => {
  const signal = retireSignal;
  if (signal === undefined || signalled) return;
  signalled = true;
  if (process.listenerCount(signal) > 1) {
    // Ours stays registered (a no-op now): a helper such as signal-exit re-raises the signal when
    // it thinks it is alone, which would cut the drain short.
    for (const server of drains.keys()) server.unref();
    void Promise.all([...drains.values()].map((d) => d.idle)).then(() => process.channel?.unref());
    return;
  }
  // Without our listener the signal, raised again, takes its default course (a second one kills).
  process.removeListener(signal, onSignal);
  void Promise.all([...drains.values()].map((d) => d.close(request))).then(() => process.kill(process.pid, signal));
};

const onMessage = (message: unknown): void => {
  if (!isShutdownMessage(message) || request !== undefined) return;
  request = { timeoutMs: typeof message.timeoutMs === 'number' && message.timeoutMs > 0 ? message.timeoutMs : undefined };
  for (const drain of drains.values()) drain.start(request);
  if (message.signal !== undefined) {
    try {
      // First in line: the drain is decided before the app's own handler runs (it may exit).
      process.prependListener(message.signal, onSignal);
      retireSignal = message.signal;
    } catch {
      // a signal nobody may listen for (SIGKILL): nothing to decide
    }
  }
  send({ type: 'draining' });
};

if (cluster.isWorker && process.env.ORCH_APP !== undefined) {
  watchListen();
  process.on('message', onMessage);
}
