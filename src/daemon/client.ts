// The CLI's side of the control socket. Starts the daemon on demand (like PM2) and checks that
// both sides speak the same protocol before anything else is said. Every request has a deadline
// (SPEC §10): a daemon that does not answer is named by its pid (from its lock file), never waited
// on forever.
import { closeSync, openSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { OrchError } from '../errors.js';
import { readProcStat } from '../process/proc-stat.js';
import { DAEMON_EXEC_ARGV } from './exec-argv.js';
import { ensureHome } from './home.js';
import { lockHolder } from './lock.js';
import type { HomePaths } from './paths.js';
import type { Method, Params, ProgressEvent, Response, Result } from './protocol.js';
import { LONG_METHODS, MAX_REQUEST_BYTES, PROTOCOL_VERSION } from './protocol.js';

export interface Timeouts {
  /** Reads, `hello`, and the liveness check during a long request. */
  readonly shortMs: number;
  /** A long request (LONG_METHODS), counted from its last progress event. */
  readonly longMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { shortMs: 10_000, longMs: 600_000 };

/** How long a started daemon may take to open its socket. */
const START_TIMEOUT_MS = 10_000;

/** ORCH_TIMEOUT and ORCH_LONG_TIMEOUT, in seconds (decimals allowed), over the defaults. */
export const timeoutsFromEnv = (env: NodeJS.ProcessEnv = process.env): Timeouts => {
  const seconds = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new OrchError('ORCH_USAGE', `${name}=${raw} is not a number of seconds`);
    return n * 1000;
  };
  return { shortMs: seconds('ORCH_TIMEOUT', DEFAULT_TIMEOUTS.shortMs), longMs: seconds('ORCH_LONG_TIMEOUT', DEFAULT_TIMEOUTS.longMs) };
};

/** "the orch daemon (pid N, ORCH_HOME …)": which daemon, as the CLI can tell from its lock file. */
export const daemonName = (paths: HomePaths): string => {
  const holder = lockHolder(paths.lock);
  return `the orch daemon (${holder ? `pid ${holder.pid}` : 'pid unknown'}, ORCH_HOME ${paths.home})`;
};

const noAnswer = (paths: HomePaths, ms: number): OrchError => {
  const holder = lockHolder(paths.lock);
  const stopped = holder !== undefined && readProcStat(holder.pid)?.state === 'T';
  const hint = stopped
    ? `: it is stopped (process state T); 'kill -CONT ${holder.pid}' resumes it`
    : `: it may be overloaded or stuck; see ${paths.daemonLog}`;
  return new OrchError('ORCH_DAEMON_UNAVAILABLE', `${daemonName(paths)} did not answer within ${ms / 1000}s${hint}`);
};

interface Pending {
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: Error) => void;
  readonly onEvent: ((e: ProgressEvent) => void) | undefined;
  readonly long: boolean;
  readonly timeoutMs: number;
  timer: NodeJS.Timeout;
}

export class DaemonClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** While a long request runs: `hello` every shortMs, so a daemon that stopped is noticed early. */
  private liveness: NodeJS.Timeout | undefined;
  private failed: Error | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly paths: HomePaths,
    private readonly timeouts: Timeouts,
  ) {
    // WARNING: readline re-emits its input's errors (ECONNRESET from a daemon that died) and
    // throws them when no one listens; the socket's 'close' below is what fails the requests.
    createInterface({ input: socket, crlfDelay: Infinity })
      .on('line', (line) => this.onLine(line))
      .on('error', () => {});
    socket.on('close', () =>
      this.fail(new OrchError('ORCH_DAEMON_UNAVAILABLE', `${daemonName(paths)} closed the connection (it may have crashed: see ${paths.daemonLog})`)),
    );
    socket.on('error', () => {});
  }

  /** Connects to a running daemon; undefined when none answers on the socket. */
  static async tryConnect(paths: HomePaths, timeouts: Timeouts = timeoutsFromEnv()): Promise<DaemonClient | undefined> {
    const socket = await openSocket(paths.socket);
    return socket ? new DaemonClient(socket, paths, timeouts) : undefined;
  }

  /**
   * Connects, starting the daemon first if none runs. A daemon that runs (it holds the lock) but
   * has no socket is given the short deadline to bind it again, and is never started twice.
   */
  static async connect(paths: HomePaths, timeouts: Timeouts = timeoutsFromEnv()): Promise<DaemonClient> {
    const existing = await DaemonClient.tryConnect(paths, timeouts);
    if (existing) return existing;
    const started = lockHolder(paths.lock) === undefined;
    if (started) {
      ensureHome(paths);
      await startDaemon(paths);
    }
    const waitMs = started ? START_TIMEOUT_MS : timeouts.shortMs;
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 15));
      const client = await DaemonClient.tryConnect(paths, timeouts);
      if (client) return client;
    }
    // Running but not answering is a different problem from not starting: say which.
    if (lockHolder(paths.lock) !== undefined) {
      throw new OrchError(
        'ORCH_DAEMON_UNAVAILABLE',
        `${daemonName(paths)} is running but does not answer on ${paths.socket} (waited ${waitMs / 1000}s): 'orch daemon stop' stops it through its lock file; see ${paths.daemonLog}`,
      );
    }
    throw new OrchError('ORCH_DAEMON_UNAVAILABLE', `the daemon did not start within ${waitMs / 1000}s: see ${paths.home}/daemon.err and ${paths.daemonLog}`);
  }

  /**
   * Rejects with ORCH_DAEMON_UNAVAILABLE when the daemon does not answer within the short deadline
   * (the long one for LONG_METHODS, restarted by each progress event).
   */
  request<M extends Method>(method: M, params: Params<M>, onEvent?: (e: ProgressEvent) => void): Promise<Result<M>> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    const line = `${JSON.stringify({ v: PROTOCOL_VERSION, id, method, params })}\n`;
    const bytes = Buffer.byteLength(line) - 1;
    if (bytes > MAX_REQUEST_BYTES) {
      const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
      return Promise.reject(new OrchError('ORCH_REQUEST_TOO_LARGE', `this '${method}' request is ${mb(bytes)}, over the daemon's bound of ${mb(MAX_REQUEST_BYTES)}`));
    }
    const long = LONG_METHODS.has(method);
    const timeoutMs = long ? this.timeouts.longMs : this.timeouts.shortMs;
    return new Promise<Result<M>>((resolve, reject) => {
      const timer = this.deadline(timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onEvent, long, timeoutMs, timer });
      if (long) this.startLiveness();
      this.socket.write(line);
    });
  }

  close(): void {
    this.stopTimers();
    this.socket.end();
  }

  private deadline(ms: number): NodeJS.Timeout {
    return setTimeout(() => this.fail(noAnswer(this.paths, ms)), ms);
  }

  private startLiveness(): void {
    if (this.liveness) return;
    let inFlight = false;
    this.liveness = setInterval(() => {
      if (inFlight) return;
      inFlight = true;
      // Its own short deadline fails every pending request if the daemon has stopped answering.
      this.request('hello', {}).then(
        () => (inFlight = false),
        () => (inFlight = false),
      );
    }, this.timeouts.shortMs);
  }

  /** Rejects every pending request with `err` and drops the connection: nothing more will come. */
  private fail(err: Error): void {
    this.failed ??= err;
    this.stopTimers();
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(err);
    this.socket.destroy();
  }

  private stopTimers(): void {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    if (this.liveness) clearInterval(this.liveness);
    this.liveness = undefined;
  }

  private onLine(line: string): void {
    let msg: Response;
    try {
      msg = JSON.parse(line) as Response;
    } catch {
      this.fail(new OrchError('ORCH_DAEMON_UNAVAILABLE', `${daemonName(this.paths)} sent a line that is not JSON: ${line.slice(0, 80)}`));
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return;
    clearTimeout(p.timer);
    if ('event' in msg) {
      // Progress: the operation is alive, its deadline starts again.
      p.timer = this.deadline(p.timeoutMs);
      p.onEvent?.(msg.event);
      return;
    }
    this.pending.delete(msg.id);
    if (this.liveness && ![...this.pending.values()].some((q) => q.long)) {
      clearInterval(this.liveness);
      this.liveness = undefined;
    }
    if (msg.ok) p.resolve(msg.result);
    else if (msg.error.code === 'ORCH_INTERNAL') p.reject(new Error(`daemon: ${msg.error.message}`));
    else p.reject(new OrchError(msg.error.code, msg.error.message));
  }
}

const openSocket = (path: string): Promise<Socket | undefined> =>
  new Promise((resolve) => {
    const socket = netConnect(path);
    socket.once('connect', () => resolve(socket));
    // ENOENT: no socket; ECONNREFUSED: a stale socket left by a dead daemon. Whether a daemon
    // runs all the same is for the lock file to say (see `connect`).
    socket.once('error', () => resolve(undefined));
  });

/** dist/daemon.js. Bundled, this module may sit in dist/chunks/. */
export const daemonEntryPath = (): string => {
  const here = dirname(fileURLToPath(import.meta.url));
  return join(basename(here) === 'chunks' ? dirname(here) : here, 'daemon.js');
};

// child_process is loaded only here: most commands find a daemon running, and loading it costs
// ~2 ms of every `orch status` (a latency target).
const startDaemon = async (paths: HomePaths): Promise<void> => {
  const { spawn } = await import('node:child_process');
  const entry = daemonEntryPath();
  const err = openSync(`${paths.home}/daemon.err`, 'a', 0o600);
  try {
    const child = spawn(process.execPath, [...DAEMON_EXEC_ARGV, entry], {
      detached: true,
      stdio: ['ignore', 'ignore', err],
      env: { ...process.env, ORCH_HOME: paths.home },
    });
    child.unref();
  } finally {
    closeSync(err);
  }
};
