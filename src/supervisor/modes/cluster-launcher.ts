// Cluster mode: one primary process per app (dist/cluster-primary.js, its own process group,
// an IPC channel to the daemon); every instance is a worker it forked on our command. A worker's
// ChildHandle proxies it through the primary: pid is the worker's, exits and readiness events
// come over the channel, and the primary's death is every worker's exit.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { AppSpec, ShutdownSpec } from '../../config/desired.js';
import { canOverlap as modeCanOverlap } from '../../config/modes.js';
import type { LogCapture } from '../../logs/capture.js';
import { splitNodeArgv } from './cluster-argv.js';
import type { DaemonToPrimary, ForkCommand, OutputStream, PrimaryToDaemon, WorkerId } from './cluster-protocol.js';
import type { ChildHandle, ExitInfo, LaunchResult, Launcher } from './launcher.js';
import { instanceEnv } from './spawn.js';
import { groupAlive, signalGroup, type StopOutcome } from '../../process/process-group.js';

const HELLO_TIMEOUT_MS = 10_000;
const KILL_GRACE_MS = 3000;
/** Reported for the workers of a primary that died (we SIGKILL its group). */
const PRIMARY_GONE: ExitInfo = { code: null, signal: 'SIGKILL' };
/** Reported at once for a worker that sent `fatal`: it drains on its own, bounded by the primary. */
const FATAL_EXIT: ExitInfo = { code: 1, signal: null };
/**
 * What a worker stream may buffer here before the primary is told to pause its pipe. Above the
 * 64 KiB a pipe read gives, so a stream that flows costs no message; a stream the log capture
 * paused (its file is behind) fills it and then holds the worker back, through the primary.
 */
const OUTPUT_HIGH_WATER = 256 * 1024;

/** dist/cluster-primary.js, found from this module whether it runs from src/ (tests) or dist/. */
export const locatePrimaryScript = (): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    const candidates = basename(dir) === 'dist' ? [join(dir, 'cluster-primary.js')] : [join(dir, 'dist', 'cluster-primary.js')];
    for (const candidate of candidates) if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('dist/cluster-primary.js not found: run `npm run build`');
};

const within = <T>(promise: Promise<T>, ms: number): Promise<boolean> =>
  new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void promise.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });

class WorkerProxy {
  exit: ExitInfo | undefined;
  readonly exited: Promise<ExitInfo>;
  readonly listening: Promise<void>;
  readonly out = new PassThrough({ highWaterMark: OUTPUT_HIGH_WATER });
  readonly err = new PassThrough({ highWaterMark: OUTPUT_HIGH_WATER });
  private readonly held = new Set<OutputStream>();
  private resolveExit!: (e: ExitInfo) => void;
  private resolveListening!: () => void;
  private ready = false;
  private readonly listeners = new Set<(message: unknown) => void>();

  constructor(
    readonly id: WorkerId,
    readonly pid: number,
    private readonly primary: Primary,
  ) {
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
    this.listening = new Promise((resolve) => (this.resolveListening = resolve));
  }

  handle(): ChildHandle {
    return {
      pid: this.pid,
      exited: this.exited,
      listening: this.listening,
      // Late subscribers still hear a 'ready' that came before them.
      onMessage: (listener) => {
        this.listeners.add(listener);
        if (this.ready) queueMicrotask(() => this.listeners.has(listener) && listener('ready'));
        return () => this.listeners.delete(listener);
      },
      stop: (shutdown) => this.stop(shutdown),
      kill: () => this.kill(),
    };
  }

  onEvent(event: PrimaryToDaemon): void {
    switch (event.type) {
      case 'listening':
        this.resolveListening();
        return;
      case 'ready':
        this.ready = true;
        for (const listener of this.listeners) listener('ready');
        return;
      case 'output':
        this.output(event.stream, Buffer.from(event.data.buffer, event.data.byteOffset, event.data.byteLength));
        return;
      case 'fatal':
        this.primary.logger.warn({ pid: this.pid, message: event.message }, 'worker reported a fatal error: replacing it while it drains');
        this.finish(FATAL_EXIT);
        return;
      case 'exited':
        this.finish({ code: event.code, signal: event.signal });
        this.end();
        return;
      default:
        return;
    }
  }

  finish(exit: ExitInfo): void {
    if (this.exit !== undefined) return;
    this.exit = exit;
    this.resolveExit(exit);
  }

  end(): void {
    this.out.end();
    this.err.end();
  }

  /** Our log backpressure reaches the worker: its pipe is paused until this stream drains. */
  private output(stream: OutputStream, data: Buffer): void {
    const sink = stream === 'out' ? this.out : this.err;
    if (sink.write(data) || this.held.has(stream)) return;
    this.held.add(stream);
    this.primary.send({ type: 'outputFlow', id: this.id, stream, paused: true });
    const release = (): void => {
      sink.off('drain', release).off('close', release);
      this.held.delete(stream);
      this.primary.send({ type: 'outputFlow', id: this.id, stream, paused: false });
    };
    // 'close' too: a sink the capture gave up on must not hold the worker forever.
    sink.on('drain', release).on('close', release);
  }

  private kill(): void {
    if (this.exit !== undefined) return;
    try {
      process.kill(this.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  private async stop(shutdown: ShutdownSpec): Promise<StopOutcome> {
    if (this.exit !== undefined) return { killed: false, groupGone: true };
    this.primary.send({ type: 'stop', id: this.id, signal: shutdown.signal });
    if (await within(this.exited, shutdown.timeoutMs)) return { killed: false, groupGone: true };
    this.kill();
    const gone = await within(this.exited, KILL_GRACE_MS);
    return { killed: true, groupGone: gone };
  }
}

/** One app's primary process and the workers it forked for us. */
class Primary {
  readonly started: Promise<{ ok: true } | { ok: false; reason: string }>;
  readonly gone: Promise<void>;
  dead = false;
  private readonly child: ChildProcess;
  private readonly workers = new Map<WorkerId, WorkerProxy>();
  private readonly pending = new Map<WorkerId, (r: LaunchResult) => void>();
  /** Wires a worker's output into the logs before any of it arrives. */
  private readonly attachers = new Map<WorkerId, (proxy: WorkerProxy) => void>();

  constructor(
    node: string,
    script: string,
    cwd: string,
    readonly logger: Logger,
  ) {
    this.child = spawn(node, [script], {
      cwd,
      env: {},
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      stream?.setEncoding('utf8').on('data', (text: string) => this.logger.warn({ output: text.trimEnd() }, 'cluster primary output'));
    }
    this.gone = new Promise((resolve) => this.child.once('exit', () => resolve()));
    this.started = new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ ok: false, reason: 'cluster primary did not start' }), HELLO_TIMEOUT_MS);
      this.child.once('error', (err) => {
        clearTimeout(timer);
        resolve({ ok: false, reason: `cannot start the cluster primary: ${err.message}` });
      });
      this.child.once('exit', (code, signal) => {
        clearTimeout(timer);
        resolve({ ok: false, reason: `cluster primary exited (${signal ?? code ?? '?'})` });
      });
      this.child.on('message', (message: PrimaryToDaemon) => {
        if (message.type === 'hello') {
          clearTimeout(timer);
          resolve({ ok: true });
        } else this.onEvent(message);
      });
    });
    this.child.once('exit', (code, signal) => this.onExit(code, signal));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(message: DaemonToPrimary): void {
    if (this.child.connected) this.child.send(message, () => undefined);
  }

  fork(cmd: Omit<ForkCommand, 'type'>, attach: (proxy: WorkerProxy) => void): Promise<LaunchResult> {
    if (this.dead) return Promise.resolve({ ok: false, reason: 'cluster primary is gone' });
    return new Promise((resolve) => {
      this.pending.set(cmd.id, (result) => {
        this.pending.delete(cmd.id);
        resolve(result);
      });
      this.attachers.set(cmd.id, attach);
      this.send({ type: 'fork', ...cmd });
    });
  }

  /** Asks the primary to drain its workers and exit; SIGKILLs its group if it takes too long. */
  async close(timeoutMs: number): Promise<void> {
    if (this.dead) return;
    this.child.kill('SIGTERM');
    if (await within(this.gone, timeoutMs)) return;
    signalGroup(this.child.pid ?? 0, 'SIGKILL');
    await within(this.gone, KILL_GRACE_MS);
  }

  private onEvent(event: PrimaryToDaemon): void {
    if (event.type === 'hello') return;
    if (event.type === 'spawned') {
      const proxy = new WorkerProxy(event.id, event.pid, this);
      this.workers.set(event.id, proxy);
      this.attachers.get(event.id)?.(proxy);
      this.attachers.delete(event.id);
      this.pending.get(event.id)?.({ ok: true, child: proxy.handle() });
      return;
    }
    if (event.type === 'spawnFailed') {
      this.attachers.delete(event.id);
      this.pending.get(event.id)?.({ ok: false, reason: event.reason });
      return;
    }
    const proxy = this.workers.get(event.id);
    proxy?.onEvent(event);
    if (event.type === 'exited') this.workers.delete(event.id);
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.dead = true;
    const pid = this.child.pid;
    if (this.workers.size > 0 || this.pending.size > 0) this.logger.warn({ pid, code, signal }, 'cluster primary exited: its workers go with it');
    // Workers left behind would keep serving nobody's requests: the whole group goes.
    if (pid !== undefined && groupAlive(pid)) signalGroup(pid, 'SIGKILL');
    for (const resolve of this.pending.values()) resolve({ ok: false, reason: `cluster primary exited (${signal ?? code ?? '?'})` });
    this.pending.clear();
    for (const proxy of this.workers.values()) {
      proxy.finish(PRIMARY_GONE);
      proxy.end();
    }
    this.workers.clear();
  }
}

export class ClusterLauncher implements Launcher {
  private readonly primaries = new Map<string, Primary>();
  private nextId = 1;
  private script: string | undefined;

  constructor(
    private readonly logs: LogCapture,
    private readonly logger: Logger,
    private readonly onSpawned?: (pid: number) => void,
  ) {}

  instancePort(spec: AppSpec): number | undefined {
    return spec.port;
  }

  canOverlap(spec: AppSpec): boolean {
    return modeCanOverlap(spec);
  }

  async launch(spec: AppSpec, index: number): Promise<LaunchResult> {
    // The instance's PATH, as fork mode resolves its command: the file's env may set it.
    const split = splitNodeArgv(spec.command, spec.cwd, instanceEnv(spec, index, spec.port).PATH);
    if (!split.ok) return split;
    if (!existsSync(spec.cwd)) return { ok: false, reason: `cwd not found: ${spec.cwd}` };
    const primary = this.primaryFor(spec, split.argv.node);
    if (!primary.ok) return primary;
    const started = await primary.primary.started;
    if (!started.ok) return started;
    const { node: _node, ...argv } = split.argv;
    return primary.primary.fork(
      {
        id: this.nextId++,
        ...argv,
        cwd: spec.cwd,
        env: instanceEnv(spec, index, spec.port),
        shutdown: { signal: spec.shutdown.signal, timeoutMs: spec.shutdown.timeoutMs },
      },
      (proxy) => {
        this.logs.attach(spec.name, index, 'out', proxy.out);
        this.logs.attach(spec.name, index, 'err', proxy.err);
      },
    );
  }

  async release(app: string): Promise<void> {
    const primary = this.primaries.get(app);
    this.primaries.delete(app);
    await primary?.close(5000);
  }

  async close(): Promise<void> {
    await Promise.all([...this.primaries.keys()].map((app) => this.release(app)));
  }

  private primaryFor(spec: AppSpec, node: string): { ok: true; primary: Primary } | { ok: false; reason: string } {
    const existing = this.primaries.get(spec.name);
    if (existing !== undefined && !existing.dead) return { ok: true, primary: existing };
    try {
      this.script ??= locatePrimaryScript();
    } catch (err) {
      return { ok: false, reason: err instanceof Error ? err.message : String(err) };
    }
    const primary = new Primary(node, this.script, spec.cwd, this.logger.child({ app: spec.name, component: 'cluster-primary' }));
    this.primaries.set(spec.name, primary);
    if (primary.pid !== undefined) this.onSpawned?.(primary.pid);
    void primary.gone.then(() => {
      if (this.primaries.get(spec.name) === primary) this.primaries.delete(spec.name);
    });
    return { ok: true, primary };
  }
}
