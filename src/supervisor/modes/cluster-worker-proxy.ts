// The daemon's side of one cluster worker: a ChildHandle whose pid is the worker's, whose exit and
// readiness come over its primary's IPC channel, and whose output arrives there as bytes, with our
// log backpressure passed back to the worker's pipe.
import { PassThrough } from 'node:stream';
import type { Logger } from 'pino';
import type { ShutdownSpec } from '../../config/desired.js';
import { cgroupPids, killCgroup, removeCgroup } from '../../process/cgroup.js';
import type { StopOutcome } from '../../process/process-group.js';
import type { DaemonToPrimary, OutputStream, PrimaryToDaemon, WorkerId } from './cluster-protocol.js';
import type { ChildHandle, ExitInfo } from './launcher.js';

const KILL_GRACE_MS = 3000;
/** Reported at once for a worker that sent `fatal`: it drains on its own, bounded by the primary. */
const FATAL_EXIT: ExitInfo = { code: 1, signal: null };
/**
 * What a worker stream may buffer here before the primary is told to pause its pipe. Above the
 * 64 KiB a pipe read gives, so a stream that flows costs no message; a stream the log capture
 * paused (its file is behind) fills it and then holds the worker back, through the primary.
 */
const OUTPUT_HIGH_WATER = 256 * 1024;

export const within = <T>(promise: Promise<T>, ms: number): Promise<boolean> =>
  new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void promise.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });

export class WorkerProxy {
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
  /** The cgroup emptied and removed, once the worker has really exited (or was killed). */
  private contained: Promise<void> | undefined;

  constructor(
    readonly id: WorkerId,
    readonly pid: number,
    /** The app it belongs to: a primary serves several. */
    readonly app: string,
    private readonly send: (message: DaemonToPrimary) => void,
    private readonly logger: Logger,
    /**
     * The worker's own cgroup (SPEC §10), which it joined before its app's first instruction:
     * whatever it started (a setsid() grandchild, a double fork) is killed with it.
     */
    private readonly cgroup?: string,
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

  /** What the primary says of this worker; its exit is the primary process's to report (`finish`, `end`). */
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
        this.logger.warn({ app: this.app, pid: this.pid, message: event.message }, 'worker reported a fatal error: replacing it while it drains');
        this.finish(FATAL_EXIT);
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

  /** The worker has really exited (or its primary is gone): nothing it started may stay. */
  end(): void {
    this.out.end();
    this.err.end();
    void this.contain();
  }

  /**
   * Kills what is left in the worker's cgroup and removes it; once. WARNING: only at the worker's
   * real exit or its SIGKILL: after `fatal` its exit is reported at once while it still drains.
   */
  private contain(): Promise<void> {
    const { cgroup } = this;
    this.contained ??= cgroup === undefined ? Promise.resolve() : killCgroup(cgroup).then((dir) => void removeCgroup(dir));
    return this.contained;
  }

  /** Our log backpressure reaches the worker: its pipe is paused until this stream drains. */
  private output(stream: OutputStream, data: Buffer): void {
    const sink = stream === 'out' ? this.out : this.err;
    if (sink.write(data) || this.held.has(stream)) return;
    this.held.add(stream);
    this.send({ type: 'outputFlow', id: this.id, stream, paused: true });
    const release = (): void => {
      sink.off('drain', release).off('close', release);
      this.held.delete(stream);
      this.send({ type: 'outputFlow', id: this.id, stream, paused: false });
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
    void this.contain();
  }

  /** Resolves once the worker exited and, with a cgroup, its cgroup is empty and removed. */
  private async stop(shutdown: ShutdownSpec): Promise<StopOutcome> {
    if (this.exit !== undefined) return { killed: false, groupGone: true };
    this.send({ type: 'stop', id: this.id, signal: shutdown.signal });
    if (await within(this.exited, shutdown.timeoutMs)) return { killed: false, groupGone: await this.emptied() };
    this.kill();
    const gone = await within(this.exited, KILL_GRACE_MS);
    return { killed: true, groupGone: (await this.emptied()) && gone };
  }

  /** After the worker's exit: its cgroup killed and gone; true when no process of it is left. */
  private async emptied(): Promise<boolean> {
    if (this.cgroup === undefined) return true;
    await this.contain();
    return cgroupPids(this.cgroup).length === 0;
  }
}
