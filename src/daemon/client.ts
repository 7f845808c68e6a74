// The CLI's side of the control socket. Starts the daemon on demand (like PM2) and checks that
// both sides speak the same protocol before anything else is said.
import { closeSync, openSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { OrchError } from '../errors.js';
import { DAEMON_EXEC_ARGV } from './exec-argv.js';
import { ensureHome } from './home.js';
import type { HomePaths } from './paths.js';
import type { Method, Params, ProgressEvent, Response, Result } from './protocol.js';
import { PROTOCOL_VERSION } from './protocol.js';

export class DaemonClient {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void; onEvent: ((e: ProgressEvent) => void) | undefined }
  >();

  private constructor(private readonly socket: Socket) {
    createInterface({ input: socket, crlfDelay: Infinity }).on('line', (line) => this.onLine(line));
    socket.on('close', () => {
      for (const p of this.pending.values()) {
        p.reject(new OrchError('ORCH_DAEMON_UNAVAILABLE', 'the daemon closed the connection (it may have crashed: see daemon.log in ORCH_HOME)'));
      }
      this.pending.clear();
    });
    socket.on('error', () => {});
  }

  /** Connects to a running daemon; undefined when none runs. */
  static async tryConnect(paths: HomePaths): Promise<DaemonClient | undefined> {
    const socket = await openSocket(paths.socket);
    return socket ? new DaemonClient(socket) : undefined;
  }

  /** Connects, starting the daemon first if none runs. */
  static async connect(paths: HomePaths, timeoutMs = 10_000): Promise<DaemonClient> {
    const existing = await DaemonClient.tryConnect(paths);
    if (existing) return existing;
    ensureHome(paths);
    await startDaemon(paths);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 15));
      const client = await DaemonClient.tryConnect(paths);
      if (client) return client;
    }
    throw new OrchError(
      'ORCH_DAEMON_UNAVAILABLE',
      `the daemon did not start within ${timeoutMs / 1000}s: see ${paths.home}/daemon.err and ${paths.daemonLog}`,
    );
  }

  request<M extends Method>(method: M, params: Params<M>, onEvent?: (e: ProgressEvent) => void): Promise<Result<M>> {
    const id = this.nextId++;
    return new Promise<Result<M>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onEvent });
      this.socket.write(`${JSON.stringify({ v: PROTOCOL_VERSION, id, method, params })}\n`);
    });
  }

  close(): void {
    this.socket.end();
  }

  private onLine(line: string): void {
    const msg = JSON.parse(line) as Response;
    const p = this.pending.get(msg.id);
    if (!p) return;
    if ('event' in msg) {
      p.onEvent?.(msg.event);
      return;
    }
    this.pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else if (msg.error.code === 'ORCH_INTERNAL') p.reject(new Error(`daemon: ${msg.error.message}`));
    else p.reject(new OrchError(msg.error.code, msg.error.message));
  }
}

const openSocket = (path: string): Promise<Socket | undefined> =>
  new Promise((resolve) => {
    const socket = netConnect(path);
    socket.once('connect', () => resolve(socket));
    // ENOENT: no daemon; ECONNREFUSED: a stale socket left by a dead one. Both mean "not running".
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
