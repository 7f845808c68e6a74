// The I/O that follows the instance state machine: spawn, readiness, exit handling, back-off
// timers and stopping. Every state change goes through `transition`.
import type { Logger } from 'pino';
import type { AppSpec, ReadyType } from '../config/desired.js';
import type { InstanceView } from './view.js';
import { describeExit, exitRequested, hasProcess, type Instance, type InstanceEvent, initialInstance, transition } from './instance.js';
import { type ReadinessProbe, waitForReady } from './readiness.js';
import type { ChildHandle, ExitInfo, LaunchResult, Launcher, Successor } from './modes/launcher.js';
import { freeRestart } from './restart-policy.js';
import type { AppEvent, AppEventDetail, ExitCause, OpResult } from './types.js';

export interface RunnerDeps {
  readonly launcher: Launcher;
  readonly probes: Readonly<Record<ReadyType, ReadinessProbe>>;
  readonly logger: Logger;
  readonly now: () => number;
  /** Told every pid this runner spawns, so the daemon can record it before anything else happens. */
  readonly onSpawned?: ((pid: number) => void) | undefined;
  /** Told what happens to the instance (started, ready, exited …): the daemon keeps the recent ones. */
  readonly onEvent?: ((e: AppEvent) => void) | undefined;
  /**
   * Runs a respawn after back-off the way every operation on the app runs (the supervisor's
   * per-app queue); without it, the respawn runs at once. WARNING: the task must not be awaited
   * by an operation holding that queue (it would wait for itself); nothing here waits for it.
   */
  readonly queueRespawn?: ((task: () => Promise<OpResult>) => void) | undefined;
}

export class InstanceRunner {
  private instance: Instance;
  private child: ChildHandle | undefined;
  private backoffTimer: NodeJS.Timeout | undefined;
  private readyCancel: AbortController | undefined;
  private stopping: Promise<void> | undefined;
  private launching: Promise<OpResult> | undefined;
  private readonly logger: Logger;
  private disposed = false;
  /** Why the stop under way was asked for: the cause of the exit that follows. */
  private stopCause: ExitCause = 'stop';
  /**
   * What the launcher started in place of the last process (ExitInfo.successor), waiting for the
   * free respawn to adopt it; `spec` is the one it was started with.
   */
  private successor: { readonly spec: AppSpec; readonly process: Successor } | undefined;

  constructor(
    /** The spec this instance's processes are started with; update() swaps it in place. */
    public spec: AppSpec,
    readonly index: number,
    private readonly deps: RunnerDeps,
    carried?: { restarts: number },
  ) {
    this.instance = { ...initialInstance(index), restarts: carried?.restarts ?? 0 };
    this.logger = deps.logger.child({ app: spec.name, instance: index });
  }

  get current(): Instance {
    return this.instance;
  }

  get port(): number | undefined {
    return this.deps.launcher.instancePort(this.spec, this.index);
  }

  view(): InstanceView {
    const i = this.instance;
    const running = hasProcess(i) ? i : undefined;
    return {
      index: i.index,
      state: i.state,
      pid: running?.pid,
      startedAt: running?.startedAt,
      restarts: i.restarts,
      port: this.port,
      lastExit: i.lastExit,
      reason: i.reason,
    };
  }

  /**
   * Why this instance does not serve right now (`exited with code 1, now in backoff`), or
   * undefined when a ready process serves (online, or the old one kept by a rollback): an
   * operation is converged only when this is undefined for every instance.
   */
  notServing(): string | undefined {
    const i = this.instance;
    if (i.state === 'online' || i.state === 'rollback') return undefined;
    const last = i.lastExit === undefined ? undefined : describeExit(i.lastExit.code, i.lastExit.signal);
    return `${i.reason ?? last ?? 'not started'}, now ${i.state === 'backoff' ? 'in backoff' : i.state}`;
  }

  /** Starts a process unless one is running; resolves once it is ready or has failed. */
  async start(resetHistory: boolean): Promise<OpResult> {
    // A stop in flight (e.g. after a readiness failure) finishes first.
    if (this.stopping !== undefined) await this.stopping;
    if (this.disposed) return { ok: false, reason: `instance ${this.index} is retired` };
    const state = this.instance.state;
    if (state === 'rollback') {
      this.dispatch({ type: 'startRequested', resetHistory });
      return { ok: true };
    }
    if (state === 'online') return { ok: true };
    // An automatic respawn is under way: its outcome is ours.
    if (state === 'starting') return this.launching ?? { ok: false, reason: `instance ${this.index} is starting` };
    if (state === 'stopping') return { ok: false, reason: `instance ${this.index} is stopping` };
    this.clearBackoff();
    this.dispatch({ type: 'startRequested', resetHistory });
    return this.launch();
  }

  /** Gracefully stops the process group (if any); resolves once the group is gone. */
  async stop(reason?: string, cause: ExitCause = 'stop'): Promise<void> {
    this.clearBackoff();
    // Waited for below: a stop (the daemon's shutdown among them) leaves no successor running.
    const refused = this.dropSuccessor();
    this.readyCancel?.abort();
    if (this.stopping !== undefined) return this.stopping;
    this.stopCause = cause;
    const child = this.child;
    this.dispatch(reason === undefined ? { type: 'stopRequested' } : { type: 'stopRequested', reason });
    if (child !== undefined && this.instance.state === 'stopping') await this.terminate(child);
    await refused;
  }

  /** After a failed rolling reload: an old process kept serving. */
  markRolledBack(reason: string): void {
    this.dispatch({ type: 'rolledBack', reason });
  }

  /** Stops timers for good; the runner must already be stopped. */
  dispose(): void {
    this.disposed = true;
    this.clearBackoff();
    void this.dropSuccessor();
    this.readyCancel?.abort();
  }

  private dispatch(event: InstanceEvent): boolean {
    const prev = this.instance;
    const next = transition(prev, event, this.deps.now());
    if (next === prev) {
      this.logger.debug({ event: event.type, state: prev.state }, 'event ignored in this state');
      return false;
    }
    this.instance = next;
    this.logger.debug({ event: event.type, from: prev.state, to: next.state }, 'instance transition');
    if (next.state === 'backoff') {
      this.emitEvent({ type: 'backoff', delayMs: Math.max(0, next.until - this.deps.now()) });
      this.scheduleRespawn(next.until);
    }
    if (next.state === 'errored' && prev.state !== 'errored') {
      this.logger.warn({ reason: next.reason }, 'instance errored');
      this.emitEvent({ type: 'errored', ...(next.reason === undefined ? {} : { reason: next.reason }) });
    }
    return true;
  }

  private emitEvent(detail: AppEventDetail): void {
    this.deps.onEvent?.({ time: this.deps.now(), app: this.spec.name, instance: this.index, ...detail });
  }

  private launch(): Promise<OpResult> {
    const launching = this.spawnAndWait().finally(() => {
      if (this.launching === launching) this.launching = undefined;
    });
    this.launching = launching;
    return launching;
  }

  private async spawnAndWait(): Promise<OpResult> {
    const spec = this.spec;
    const adopted = this.adoptSuccessor(spec);
    const result = await (adopted ?? this.deps.launcher.launch(spec, this.index));
    const i = this.instance;
    if (this.disposed || i.state !== 'starting' || i.pid !== undefined) {
      // Stopped (or retired: a restart racing the shutdown) while we were spawning: the new
      // process must not outlive the stop.
      if (result.ok) result.child.kill();
      return { ok: false, reason: 'stopped before ready' };
    }
    if (!result.ok) {
      this.logger.warn({ reason: result.reason }, 'spawn failed');
      this.emitEvent({ type: 'spawn-failed', reason: result.reason });
      this.dispatch({ type: 'spawnFailed', reason: result.reason, policy: spec.restart });
      return { ok: false, reason: result.reason };
    }
    const child = result.child;
    this.child = child;
    this.dispatch({ type: 'spawned', pid: child.pid });
    this.armRestart(child, spec);
    this.deps.onSpawned?.(child.pid);
    this.logger.info(adopted === undefined ? { pid: child.pid } : { pid: child.pid, successor: true }, 'instance spawned');
    this.emitEvent({ type: 'started', pid: child.pid });
    void child.exited.then((exit) => this.onExit(child, exit, spec)).catch((err: unknown) => this.logger.error({ err }, 'exit handler failed'));

    const cancel = new AbortController();
    this.readyCancel = cancel;
    const outcome = await waitForReady(child, spec.ready, this.port, this.deps.probes, cancel.signal);
    if (this.readyCancel === cancel) this.readyCancel = undefined;
    const now = this.instance;
    if (this.child !== child || now.state !== 'starting') {
      return { ok: false, reason: outcome.ok ? 'stopped before ready' : outcome.reason };
    }
    if (outcome.ok) {
      this.dispatch({ type: 'ready' });
      this.emitEvent({ type: 'ready', pid: child.pid });
      return { ok: true };
    }
    if (!outcome.exited) {
      this.emitEvent({ type: 'ready-failed', pid: child.pid, reason: outcome.reason });
      this.stopCause = 'ready-failed';
      this.dispatch({ type: 'readyFailed', reason: outcome.reason });
      await this.terminate(child);
    }
    return { ok: false, reason: outcome.reason };
  }

  /** Tells the launcher when an exit of `child` would be restarted at once (it may start it sooner). */
  private armRestart(child: ChildHandle, spec: AppSpec): void {
    const i = this.instance;
    if (child.armRestart === undefined || i.state !== 'starting' || i.startedAt === undefined) return;
    const free = freeRestart(spec.restart, i.history, i.startedAt);
    if (free !== undefined) child.armRestart(free);
  }

  /** The successor as this launch's process, when it was started with this very spec. */
  private adoptSuccessor(spec: AppSpec): Promise<LaunchResult> | undefined {
    const waiting = this.successor;
    this.successor = undefined;
    if (waiting === undefined) return undefined;
    if (waiting.spec !== spec) {
      void waiting.process.refuse();
      return undefined;
    }
    return waiting.process.adopt();
  }

  private dropSuccessor(): Promise<void> {
    const refused = this.successor?.process.refuse() ?? Promise.resolve();
    this.successor = undefined;
    return refused;
  }

  private onExit(child: ChildHandle, exit: ExitInfo, spec: AppSpec): void {
    if (this.child !== child) {
      void exit.successor?.refuse();
      return;
    }
    this.child = undefined;
    const byUs = exitRequested(this.instance);
    // Leftovers of the group first: a respawn (immediate after a long run) must find the port free.
    if (!byUs) child.kill();
    // The exit first, then what the restart policy makes of it (errored).
    this.emitEvent({ type: 'exited', pid: child.pid, code: exit.code, signal: exit.signal, requested: byUs, cause: byUs ? this.stopCause : 'crash' });
    this.stopCause = 'stop';
    this.dispatch({ type: 'exited', code: exit.code, signal: exit.signal, policy: this.spec.restart });
    if (exit.successor !== undefined) {
      // Kept for the respawn only if the policy, too, restarts at once; else it goes now.
      const next = this.instance;
      if (next.state === 'backoff' && next.until <= this.deps.now()) this.successor = { spec, process: exit.successor };
      else void exit.successor.refuse();
    }
    this.logger.info({ pid: child.pid, code: exit.code, signal: exit.signal, requested: byUs }, 'instance exited');
  }

  private terminate(child: ChildHandle): Promise<void> {
    this.stopping ??= child
      .stop(this.spec.shutdown)
      .then((outcome) => {
        if (outcome.killed) this.logger.warn({ pid: child.pid, timeoutMs: this.spec.shutdown.timeoutMs }, 'shutdown timeout: group killed');
        if (!outcome.groupGone) this.logger.error({ pgid: child.pid }, 'process group survived SIGKILL');
      })
      .catch((err: unknown) => this.logger.error({ err }, 'stop failed'))
      .finally(() => {
        this.stopping = undefined;
      });
    return this.stopping;
  }

  private scheduleRespawn(until: number): void {
    this.clearBackoff();
    if (this.disposed) return;
    const due = this.instance;
    const delayMs = until - this.deps.now();
    // A free restart (no back-off) skips the timer; after the transition that scheduled it, not
    // inside it. respawn() drops it if anything happened to the instance meanwhile.
    if (delayMs <= 0) queueMicrotask(() => this.queueRespawn(due));
    else this.backoffTimer = setTimeout(() => this.queueRespawn(due), delayMs);
  }

  private queueRespawn(due: Instance): void {
    this.backoffTimer = undefined;
    const task = (): Promise<OpResult> => this.respawn(due);
    try {
      if (this.deps.queueRespawn === undefined) void task();
      else this.deps.queueRespawn(task);
    } catch (err) {
      // A timer callback that throws would take the daemon down.
      this.logger.error({ err }, 'respawn failed');
    }
  }

  /**
   * The back-off `due` is over: start a process, unless anything happened to the instance while
   * the respawn waited its turn (stopped, started by an operation, retired, another back-off).
   */
  private async respawn(due: Instance): Promise<OpResult> {
    if (this.disposed || this.instance !== due || !this.dispatch({ type: 'backoffElapsed' })) {
      void this.dropSuccessor();
      return { ok: true };
    }
    this.logger.info({ restarts: this.instance.restarts }, 'restarting after back-off');
    this.emitEvent({ type: 'restarting', restarts: this.instance.restarts });
    try {
      return await this.launch();
    } catch (err) {
      this.logger.error({ err }, 'respawn failed');
      return { ok: false, reason: `respawn failed: ${err instanceof Error ? err.message : String(err)}` };
    }
  }

  private clearBackoff(): void {
    if (this.backoffTimer !== undefined) clearTimeout(this.backoffTimer);
    this.backoffTimer = undefined;
  }
}
