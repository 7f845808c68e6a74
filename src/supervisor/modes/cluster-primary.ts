// A shared cluster primary (bundled to dist/cluster-primary.js, started by the daemon with an
// IPC channel and an empty environment, one per node binary). It forks the workers of any app on
// the daemon's command, each with its app's settings, and reports their life; node:cluster shares
// each listening port and hands connections out round-robin.
// It decides nothing: restarts and readiness are the daemon's. It only carries out one restart the
// daemon decided ahead (an `arm`ed free restart): forking the successor of a worker that died
// unasked at once, without the two IPC hops through the daemon that PM2, whose daemon is the
// primary, does not make.
import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { OutputFlow } from './cluster-output.js';
import type { ArmCommand, DaemonToPrimary, ForkCommand, PrimaryToDaemon, ShutdownMessage, WorkerId } from './cluster-protocol.js';
import { childrenLookup, DescendantTracker } from '../../process/descendants.js';
import { CGROUP_ENV } from '../../worker/join-cgroup.js';
import { isFreeExit } from '../restart-policy.js';
import { leaveRotation, watchRotation } from './cluster-rotation.js';

/** How long a worker's output may trail its exit before the exit is reported anyway. */
const OUTPUT_GRACE_MS = 500;
/** When the daemon is gone: how long workers get to drain before the primary kills them. */
const ORPHAN_GRACE_MS = 5000;
/** How often a worker's descendants are read again: while it runs, and once it is being stopped. */
const TRACK_MS = 1000;
const STOPPING_TRACK_MS = 50;
/**
 * How long the shutdown signal waits for the worker's `draining` answer. WARNING: a worker whose
 * event loop is blocked longer than this gets the signal before its drain preload heard
 * `shutdown`; an app without a handler for it then dies at once, as Node's default has it.
 */
const DRAINING_WAIT_MS = 1000;
/**
 * Preloaded into every worker (built next to this file): it drains the HTTP(S) servers of apps
 * that know nothing of orch (src/worker/cluster-drain.ts).
 */
const DRAIN_PRELOAD = fileURLToPath(new URL('./cluster-drain.cjs', import.meta.url));

cluster.schedulingPolicy = cluster.SCHED_RR;
// Workers get exactly the environment the daemon computed: cluster.fork merges process.env in.
for (const key of Object.keys(process.env)) Reflect.deleteProperty(process.env, key);

/**
 * A worker and what the primary knows of it.
 *
 * `descendants`: fork mode stops an instance by signalling its process group, but cluster.fork
 * has no `detached`: every worker is in the primary's group, so the children of a worker stopped
 * while its app runs would outlive it. A group per worker would take patching Node's internals
 * (the ChildProcess.spawn under cluster.fork), and would take workers out of the one group per
 * app that the daemon records and reaps after its own crash. So the primary reads each worker's
 * descendants from /proc while it lives (at readiness, every TRACK_MS for all workers in one pass,
 * at once when it is stopped and then every STOPPING_TRACK_MS), and SIGKILLs the survivors once it has exited, each checked
 * against its start time so that a reused pid is never hit. Only a descendant born and orphaned
 * between two reads escapes; the app's stop, which kills the primary's group, still gets it
 * unless it left the group. Where cgroups are writable none escapes: each worker joined a cgroup of
 * its own before its app ran (src/worker/join-cgroup.ts), which the daemon kills once it exited.
 */
interface Managed {
  readonly worker: Worker;
  /** What it was forked with: its successor is forked with the same. */
  readonly cmd: ForkCommand;
  /** The daemon's free restart of it, if any (see ArmCommand). */
  armed: ArmCommand | undefined;
  /** The app's shutdown.timeout, told to the worker with the shutdown message to bound its drain. */
  readonly shutdownTimeoutMs: number;
  readonly descendants: DescendantTracker;
  /** The fast re-read while the worker is being stopped. */
  stopping: NodeJS.Timeout | undefined;
  /** Being retired: sends the shutdown signal (once), when the worker says it is draining. */
  signal: (() => void) | undefined;
}

const workers = new Map<WorkerId, Managed>();
let leaving = false;

const send = (message: PrimaryToDaemon): void => {
  if (process.connected) process.send?.(message);
};

const output = new OutputFlow((message, done) => {
  if (!process.connected || process.send === undefined) return done();
  process.send(message, undefined, undefined, () => done());
});

// One /proc lookup serves every worker: without children files it is a pass over all of /proc.
setInterval(() => {
  if (workers.size === 0) return;
  const childrenOf = childrenLookup();
  for (const m of workers.values()) m.descendants.refresh(childrenOf);
}, TRACK_MS).unref();

/** Forks a worker and reports it (`spawned` or `spawnFailed`); false when it could not start. */
const fork = (cmd: ForkCommand): boolean => {
  const execArgv = ['--require', DRAIN_PRELOAD, ...cmd.execArgv];
  cluster.setupPrimary({ exec: cmd.exec, args: [...cmd.args], execArgv, cwd: cmd.cwd, silent: true });
  let worker: Worker;
  try {
    worker = cluster.fork(cmd.env);
  } catch (err) {
    send({ type: 'spawnFailed', id: cmd.id, reason: err instanceof Error ? err.message : String(err) });
    return false;
  }
  const pid = worker.process.pid;
  if (pid === undefined) {
    send({ type: 'spawnFailed', id: cmd.id, reason: `cannot start ${cmd.exec}` });
    return false;
  }
  const m: Managed = { worker, cmd, armed: undefined, shutdownTimeoutMs: cmd.shutdown.timeoutMs, descendants: new DescendantTracker(pid), stopping: undefined, signal: undefined };
  workers.set(cmd.id, m);
  watchRotation(worker);
  send({ type: 'spawned', id: cmd.id, pid });
  let open = 0;
  let exit: { code: number | null; signal: NodeJS.Signals | null; successor?: WorkerId } | undefined;
  let reported = false;
  const report = (): void => {
    if (reported || exit === undefined) return;
    reported = true;
    workers.delete(cmd.id);
    send({ type: 'exited', id: cmd.id, ...exit });
    exitIfEmpty();
  };
  // Output held back by backpressure is still coming: the grace counts only while it flows.
  const reportAfterGrace = (): void => {
    setTimeout(() => (output.waiting(cmd.id) ? reportAfterGrace() : report()), OUTPUT_GRACE_MS).unref();
  };
  for (const [stream, source] of [['out', worker.process.stdout], ['err', worker.process.stderr]] as const) {
    if (source == null) continue;
    open++;
    output.attach(cmd.id, stream, source, cmd.app);
    source.once('close', () => {
      if (--open === 0) report();
    });
  }
  worker.process.on('error', () => undefined);
  worker.on('error', () => undefined);
  // Apps start their helpers before they are ready: read them as soon as it says so.
  worker.on('listening', () => {
    m.descendants.refresh();
    send({ type: 'listening', id: cmd.id });
  });
  worker.on('message', (message: unknown) => {
    if (isTyped(message, 'draining')) {
      m.signal?.();
    } else if (message === 'ready' || isTyped(message, 'ready')) {
      m.descendants.refresh();
      send({ type: 'ready', id: cmd.id });
    } else if (isTyped(message, 'fatal')) {
      const text = typeof (message as { message?: unknown }).message === 'string' ? (message as { message: string }).message : 'fatal error';
      send({ type: 'fatal', id: cmd.id, message: text });
      retire(m, cmd.shutdown.signal);
      setTimeout(() => worker.process.kill('SIGKILL'), cmd.shutdown.timeoutMs).unref();
    }
  });
  worker.on('exit', (code: number | null, signal: NodeJS.Signals | null) => {
    const at = Date.now();
    clearInterval(m.stopping);
    // Its own graceful shutdown (or the daemon's SIGKILL) is over: nothing it started may stay.
    m.descendants.signal('SIGKILL');
    const successor = forkSuccessor(m, { code, signal }, at);
    exit = successor === undefined ? { code, signal } : { code, signal, successor };
    if (open === 0) report();
    else reportAfterGrace();
  });
  return true;
};

/**
 * The armed successor of a worker that exited unasked, forked now when the daemon's policy made
 * this exit a free restart; its id, or undefined. Never for a worker being retired (stop, reload,
 * fatal error) or when the primary is leaving: those exits were asked for.
 */
const forkSuccessor = (m: Managed, exit: { code: number | null; signal: NodeJS.Signals | null }, at: number): WorkerId | undefined => {
  const { armed } = m;
  if (armed === undefined || m.stopping !== undefined || leaving || !isFreeExit(armed.free, exit, at)) return undefined;
  const { [CGROUP_ENV]: _old, ...env } = m.cmd.env;
  const cmd: ForkCommand = { ...m.cmd, id: armed.successor, env: armed.cgroup === undefined ? env : { ...env, [CGROUP_ENV]: armed.cgroup } };
  return fork(cmd) ? armed.successor : undefined;
};

const isTyped = (message: unknown, type: string): boolean =>
  typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type;

/**
 * Graceful stop, in the order SPEC §9 asks: the worker leaves the round-robin (no new connection
 * goes to it from this instant), hears `{type:'shutdown', signal, timeoutMs}` and then the
 * shutdown signal, with its descendants, while it still holds its server and its connections, so
 * that its handlers run and it drains. The daemon SIGKILLs it after shutdown.timeout.
 *
 * The signal waits for the worker's `draining` answer (bounded): its drain preload must be
 * listening for the signal before it comes, or an app without a handler would die of Node's
 * default on the spot. No `worker.disconnect()`: it closes the worker's servers at once (in
 * Node ≥ 19 with every idle keep-alive connection, which fails the clients that reuse them), and
 * a worker whose server was all that held it exits before its signal handler ever runs.
 */
const retire = (m: Managed, signal: NodeJS.Signals): void => {
  const { worker } = m;
  if (m.stopping !== undefined) return;
  m.descendants.refresh();
  m.stopping = setInterval(() => m.descendants.refresh(), STOPPING_TRACK_MS).unref();
  leaveRotation(worker);
  let sent = false;
  const kill = (): void => {
    if (sent) return;
    sent = true;
    clearTimeout(bound);
    if (worker.process.exitCode !== null || worker.process.signalCode !== null) return;
    // As in a fork-mode process group, its descendants hear the signal with it.
    m.descendants.refresh();
    worker.process.kill(signal);
    m.descendants.signal(signal);
  };
  const bound = setTimeout(kill, DRAINING_WAIT_MS).unref();
  m.signal = kill;
  if (!worker.isConnected()) return kill();
  worker.once('disconnect', kill);
  try {
    const shutdown: ShutdownMessage = { type: 'shutdown', timeoutMs: m.shutdownTimeoutMs, signal };
    worker.send(shutdown);
  } catch {
    kill();
  }
};

process.on('message', (message: DaemonToPrimary) => {
  switch (message.type) {
    case 'fork':
      fork(message);
      return;
    case 'stop': {
      const m = workers.get(message.id);
      if (m !== undefined) retire(m, message.signal);
      return;
    }
    case 'outputFlow':
      output.hold(message.id, message.stream, message.paused);
      return;
    case 'arm': {
      const m = workers.get(message.id);
      if (m !== undefined) m.armed = message;
      return;
    }
  }
});

/** The daemon is gone or asked us to go: drain every worker, exit once none is left. */
const leave = (): void => {
  if (leaving) return;
  leaving = true;
  for (const m of workers.values()) retire(m, 'SIGTERM');
  setTimeout(() => {
    for (const m of workers.values()) {
      m.worker.process.kill('SIGKILL');
      m.descendants.signal('SIGKILL');
    }
    process.exit(0);
  }, ORPHAN_GRACE_MS).unref();
  exitIfEmpty();
};

function exitIfEmpty(): void {
  if (leaving && workers.size === 0) process.exit(0);
}

// The daemon reaps by process group after its own restart: leave no worker behind it either.
process.on('disconnect', () => {
  output.release();
  leave();
});
process.on('SIGTERM', leave);
process.on('SIGINT', leave);

send({ type: 'hello' });
