// The daemon's one Supervisor: apps by name, one operation per app at a time, each operation
// built from InstanceRunner starts and stops. Modes differ only in their Launcher and probes.
import type { Logger } from 'pino';
import type { AppSpec, Mode, ReadyType } from '../config/desired.js';
import { type CaptureOptions, LogCapture } from '../logs/capture.js';
import { InstanceCgroups } from '../process/cgroup.js';
import type { AppView } from './view.js';
import { InstanceRunner, type RunnerDeps } from './instance-runner.js';
import { KeyedQueue } from './keyed-queue.js';
import { readRss } from '../process/memory.js';
import { formatApproxBytes } from '../units.js';
import { ClusterLauncher } from './modes/cluster-launcher.js';
import { clusterProbes, forkProbes, type ReadinessProbe, socketProbes } from './readiness.js';
import { NotifySockets } from './notify-socket.js';
import { planRollingBatches, runRolling, type RollingStep, type StepResult } from './rolling.js';
import { SocketLauncher } from './modes/socket-launcher.js';
import { ForkLauncher } from './modes/fork-launcher.js';
import type { Launcher } from './modes/launcher.js';
import type { AppEvent, ExitCause, OpResult, SupervisorApi } from './types.js';

export interface SupervisorOptions {
  /** ORCH_HOME: logs go to `${home}/logs`. */
  readonly home: string;
  readonly logger: Logger;
  readonly now?: () => number;
  /** How often RSS is compared with max_memory. */
  readonly memoryIntervalMs?: number;
  /** Called with the pid of every process the supervisor spawns (the daemon records their identities). */
  readonly onSpawned?: (pid: number) => void;
  /** Log capture settings; by default they come from the daemon's environment. */
  readonly logs?: CaptureOptions;
  /** Told what happens to every app (see AppEvent): the daemon keeps the recent ones for `orch describe`. */
  readonly onEvent?: (e: AppEvent) => void;
}

interface ModeSupport {
  readonly launcher: Launcher;
  readonly probes: Readonly<Record<ReadyType, ReadinessProbe>>;
}

interface AppRuntime {
  spec: AppSpec;
  stopped: boolean;
  readonly runners: Map<number, InstanceRunner>;
}

const ok: OpResult = { ok: true };
const fail = (reason: string): OpResult => ({ ok: false, reason });
const range = (from: number, to: number): number[] => Array.from({ length: Math.max(0, to - from) }, (_, k) => from + k);

/** Resolves with the first failure, or ok once every start succeeded. */
const firstFailure = (starts: readonly Promise<OpResult>[]): Promise<OpResult> =>
  new Promise((resolve) => {
    let pending = starts.length;
    if (pending === 0) resolve(ok);
    for (const start of starts) {
      void start.then(
        (r) => {
          if (!r.ok) resolve(r);
          else if (--pending === 0) resolve(ok);
        },
        (e: unknown) => resolve(fail(`internal error: ${e instanceof Error ? e.message : String(e)}`)),
      );
    }
  });

/** The app and every runner it has use `spec` from now on (runners read it at their next start). */
const setSpec = (app: AppRuntime, spec: AppSpec): void => {
  app.spec = spec;
  for (const runner of app.runners.values()) runner.spec = spec;
};

const withIndex = (index: number, r: OpResult): OpResult => (r.ok ? r : fail(`instance ${index}: ${r.reason}`));

export class Supervisor implements SupervisorApi {
  private readonly apps_ = new Map<string, AppRuntime>();
  private readonly queue = new KeyedQueue();
  private readonly logs: LogCapture;
  private readonly cgroups: InstanceCgroups;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly modes: Readonly<Partial<Record<Mode, ModeSupport>>>;
  private readonly memoryTimer: NodeJS.Timeout;
  private readonly memoryRestarts = new Set<InstanceRunner>();
  /** Every runner not yet disposed, including reload candidates not in any app yet. */
  private readonly live = new Set<InstanceRunner>();
  private closing = false;
  private readonly onSpawned: ((pid: number) => void) | undefined;
  private readonly onEvent: ((e: AppEvent) => void) | undefined;
  private memoryCheckRunning = false;

  constructor(options: SupervisorOptions) {
    this.logger = options.logger.child({ component: 'supervisor' });
    this.now = options.now ?? Date.now;
    this.onSpawned = options.onSpawned;
    this.onEvent = options.onEvent;
    this.logs = new LogCapture(options.home, this.now, this.logger, options.logs);
    this.cgroups = new InstanceCgroups(options.home);
    const spawnContext = { logs: this.logs, notify: new NotifySockets(`${options.home}/notify`), cgroups: this.cgroups };
    this.modes = {
      fork: { launcher: new ForkLauncher(spawnContext), probes: forkProbes },
      cluster: { launcher: new ClusterLauncher(this.logs, this.logger, this.onSpawned, this.cgroups), probes: clusterProbes },
      socket: { launcher: new SocketLauncher(spawnContext), probes: socketProbes },
    };
    this.memoryTimer = setInterval(() => void this.pollMemory(), options.memoryIntervalMs ?? 2000);
    this.memoryTimer.unref();
  }

  apps(): readonly AppView[] {
    return [...this.apps_.keys()].sort().flatMap((name) => {
      const view = this.app(name);
      return view === undefined ? [] : [view];
    });
  }

  app(name: string): AppView | undefined {
    const app = this.apps_.get(name);
    if (app === undefined) return undefined;
    const instances = [...app.runners.values()].sort((a, b) => a.index - b.index).map((r) => r.view());
    const droppedLines = this.logs.droppedLines(name);
    return { spec: app.spec, stopped: app.stopped, instances, ...(droppedLines > 0 ? { droppedLines } : {}) };
  }

  create(spec: AppSpec): Promise<OpResult> {
    return this.op(spec.name, 'create', async () => {
      if (this.apps_.has(spec.name)) return fail(`app ${spec.name} already exists`);
      if (this.modes[spec.mode] === undefined) return fail(`mode ${spec.mode} is not supported yet`);
      const app: AppRuntime = { spec, stopped: false, runners: new Map() };
      this.apps_.set(spec.name, app);
      return this.startIndices(app, range(0, spec.instances));
    });
  }

  scale(spec: AppSpec): Promise<OpResult> {
    return this.withApp(spec.name, 'scale', async (app) => {
      const from = app.runners.size;
      setSpec(app, spec);
      if (spec.instances < from) {
        await this.removeIndices(app, range(spec.instances, from));
        if (spec.instances === 0) await this.release(app);
        return this.serving(app);
      }
      if (app.stopped) {
        for (const index of range(from, spec.instances)) app.runners.set(index, this.newRunner(spec, index));
        return ok;
      }
      return this.startIndices(app, range(from, spec.instances));
    });
  }

  restart(spec: AppSpec): Promise<OpResult> {
    return this.withApp(spec.name, 'restart', async (app) => {
      // The instances started again exit for a restart; those beyond the new count, for good.
      await Promise.all([...app.runners.values()].map((r) => r.stop(undefined, r.index < spec.instances ? 'restart' : 'stop')));
      await this.removeIndices(app, range(spec.instances, app.runners.size));
      // Nothing runs: the next processes may need another port or another node binary.
      await this.release(app);
      setSpec(app, spec);
      app.stopped = false;
      return this.startIndices(app, range(0, spec.instances));
    });
  }

  reload(spec: AppSpec): Promise<OpResult> {
    return this.withApp(spec.name, 'reload', (app) => this.rollingReload(app, spec));
  }

  update(spec: AppSpec): void {
    const app = this.apps_.get(spec.name);
    if (app !== undefined) setSpec(app, spec);
  }

  start(name: string, spec?: AppSpec): Promise<OpResult> {
    return this.withApp(name, 'start', (app) => {
      if (spec !== undefined) setSpec(app, spec);
      app.stopped = false;
      return this.startIndices(app, range(0, app.spec.instances));
    });
  }

  stop(name: string): Promise<OpResult> {
    return this.withApp(name, 'stop', async (app) => {
      app.stopped = true;
      await Promise.all([...app.runners.values()].map((r) => r.stop()));
      await this.release(app);
      return ok;
    });
  }

  remove(name: string): Promise<OpResult> {
    return this.withApp(name, 'remove', async (app) => {
      await this.removeIndices(app, [...app.runners.keys()]);
      await this.release(app);
      this.apps_.delete(name);
      // A deleted app's logs go with it (README: logs); `orch flush` clears what is left of older ones.
      await this.logs.remove(name);
      return ok;
    });
  }

  /** `orch flush [app]`: empties the app's (or every app's) log files; the apps flushed, sorted. */
  flushLogs(app?: string): Promise<string[]> {
    return this.logs.flush(app);
  }

  async shutdown(): Promise<void> {
    this.closing = true;
    clearInterval(this.memoryTimer);
    // Not through the queues: an operation waiting for readiness must not delay the shutdown.
    await Promise.all([...this.live].map((r) => this.retire(r)));
    await Promise.all(Object.values(this.modes).map((m) => m.launcher.close()));
    this.cgroups.close();
    await this.logs.closeAll();
  }

  private op(name: string, what: string, task: () => Promise<OpResult>): Promise<OpResult> {
    if (this.closing) return Promise.resolve(fail('the supervisor is shutting down'));
    return this.queue.run(name, async () => {
      if (this.closing) return fail('the supervisor is shutting down');
      try {
        const result = await task();
        this.logger.info({ app: name, op: what, ok: result.ok, reason: result.ok ? undefined : result.reason }, 'operation done');
        return result;
      } catch (err) {
        this.logger.error({ err, app: name, op: what }, 'operation failed');
        return fail(`internal error: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
  }

  private withApp(name: string, what: string, task: (app: AppRuntime) => Promise<OpResult>): Promise<OpResult> {
    return this.op(name, what, () => {
      const app = this.apps_.get(name);
      return app === undefined ? Promise.resolve(fail(`unknown app: ${name}`)) : task(app);
    });
  }

  private appEvent(app: string, detail: Omit<AppEvent, 'time' | 'app' | 'instance'>): void {
    this.onEvent?.({ time: this.now(), app, instance: null, ...detail });
  }

  private mode(spec: AppSpec): ModeSupport {
    const support = this.modes[spec.mode];
    if (support === undefined) throw new Error(`mode ${spec.mode} is not supported yet`);
    return support;
  }

  private newRunner(spec: AppSpec, index: number, carried?: { restarts: number }): InstanceRunner {
    const { launcher, probes } = this.mode(spec);
    // A crash respawn is one more operation on the app: it waits for the one running (a reload, a
    // create waiting for readiness) instead of racing it; that operation never waits for it.
    const queueRespawn = (task: () => Promise<OpResult>): void => void this.op(spec.name, 'respawn', task);
    const deps: RunnerDeps = { launcher, probes, logger: this.logger, now: this.now, onSpawned: this.onSpawned, onEvent: this.onEvent, queueRespawn };
    const runner = new InstanceRunner(spec, index, deps, carried);
    this.live.add(runner);
    return runner;
  }

  /** Frees what the app's instances share (cluster primary, socket-mode socket). */
  private async release(app: AppRuntime): Promise<void> {
    await this.modes[app.spec.mode]?.launcher.release(app.spec.name);
  }

  /** Stops a runner for good. */
  private async retire(runner: InstanceRunner, cause?: ExitCause): Promise<void> {
    await runner.stop(undefined, cause);
    runner.dispose();
    this.live.delete(runner);
    this.memoryRestarts.delete(runner);
  }

  /**
   * Starts the given indices (creating runners as needed) in parallel; first failure wins. Then
   * every instance of the app must still serve: one that was ready and crashed into back-off
   * while another was starting makes the operation fail, never `converged`.
   */
  private async startIndices(app: AppRuntime, indices: readonly number[]): Promise<OpResult> {
    const started = await firstFailure(
      indices.map(async (index) => {
        // An operation that was already running when shutdown began must not start new processes.
        if (this.closing) return fail('the supervisor is shutting down');
        let runner = app.runners.get(index);
        if (runner === undefined) {
          runner = this.newRunner(app.spec, index);
          app.runners.set(index, runner);
        }
        return withIndex(index, await runner.start(true));
      }),
    );
    return started.ok ? this.serving(app) : started;
  }

  /** ok when every instance of a running app is online, else the first one that is not, with why. */
  private serving(app: AppRuntime): OpResult {
    if (app.stopped) return ok;
    for (const runner of [...app.runners.values()].sort((a, b) => a.index - b.index)) {
      const why = runner.notServing();
      if (why !== undefined) return fail(`instance ${runner.index}: ${why}`);
    }
    return ok;
  }

  private async removeIndices(app: AppRuntime, indices: readonly number[]): Promise<void> {
    await Promise.all(
      indices.map(async (index) => {
        const runner = app.runners.get(index);
        if (runner === undefined) return;
        await this.retire(runner);
        app.runners.delete(index);
      }),
    );
  }

  private async rollingReload(app: AppRuntime, spec: AppSpec): Promise<OpResult> {
    const oldSpec = app.spec;
    if (spec.mode !== oldSpec.mode) return fail(`cannot reload from ${oldSpec.mode} to ${spec.mode} mode: restart instead`);
    await this.removeIndices(app, range(spec.instances, app.runners.size));
    const { launcher } = this.mode(spec);
    const limits = {
      maxSurge: spec.reload.maxSurge,
      maxUnavailable: spec.reload.maxUnavailable,
      canOverlap: launcher.canOverlap(spec) && launcher.canOverlap(oldSpec),
    };
    const indices = [...app.runners.keys()].sort((a, b) => a - b);
    this.appEvent(spec.name, { type: 'reload-started' });
    const outcome = await runRolling(planRollingBatches(indices, limits), (step) => this.replaceInstance(app, step, spec, oldSpec));
    if (outcome.failed === undefined) {
      app.spec = spec;
      app.stopped = false;
      const started = await this.startIndices(app, range(indices.length, spec.instances));
      this.appEvent(spec.name, started.ok ? { type: 'reload-done' } : { type: 'reload-done', reason: started.reason });
      return started;
    }
    const reason = `reload rolled back: instance ${outcome.failed.index}: ${outcome.failed.reason}`;
    this.logger.warn({ app: spec.name, reason }, 'rolling reload failed');
    this.appEvent(spec.name, { type: 'rolled-back', reason });
    // The indices already replaced go back to the old spec, the same way they came.
    const back = await runRolling(planRollingBatches(outcome.replaced, limits), (step) => this.replaceInstance(app, step, oldSpec, spec));
    if (back.failed !== undefined) this.logger.error({ app: spec.name, failed: back.failed }, 'rollback incomplete');
    for (const runner of app.runners.values()) runner.markRolledBack(reason);
    return fail(reason);
  }

  /** Replaces one index by a process of `next`; on failure the index runs `previous` again. */
  private async replaceInstance(app: AppRuntime, step: RollingStep, next: AppSpec, previous: AppSpec): Promise<StepResult> {
    if (this.closing) return fail('the supervisor is shutting down');
    const old = app.runners.get(step.index);
    const fresh = this.newRunner(next, step.index, { restarts: old?.current.restarts ?? 0 });
    if (!step.surge) await old?.stop(undefined, 'reload');
    const started = await fresh.start(true);
    if (!started.ok) {
      await this.retire(fresh);
      if (old !== undefined && !step.surge) {
        old.spec = previous;
        const back = await old.start(false);
        if (!back.ok) this.logger.error({ app: next.name, instance: step.index, reason: back.reason }, 'old instance did not come back');
      }
      return started;
    }
    if (old !== undefined) await this.retire(old, 'reload');
    app.runners.set(step.index, fresh);
    return ok;
  }

  private async pollMemory(): Promise<void> {
    // A slow /proc read must not stack polls.
    if (this.memoryCheckRunning) return;
    this.memoryCheckRunning = true;
    try {
      await this.checkMemory();
    } catch (err) {
      this.logger.error({ err }, 'memory check failed');
    } finally {
      this.memoryCheckRunning = false;
    }
  }

  private async checkMemory(): Promise<void> {
    for (const app of this.apps_.values()) {
      const limit = app.spec.maxMemoryBytes;
      if (limit === undefined || app.stopped) continue;
      for (const runner of app.runners.values()) {
        const i = runner.current;
        if (i.state !== 'online' || this.memoryRestarts.has(runner)) continue;
        const rss = await readRss(i.pid);
        if (rss === undefined || rss <= limit) continue;
        const reason = `memory ${formatApproxBytes(rss)} > max_memory ${formatApproxBytes(limit)}`;
        this.memoryRestarts.add(runner);
        void this.op(app.spec.name, 'memory-restart', async () => {
          try {
            const now = runner.current;
            // Still the same process, still ours: the queue may have run other operations meanwhile.
            if (app.runners.get(runner.index) !== runner || now.state !== 'online' || now.pid !== i.pid) return ok;
            this.logger.warn({ app: app.spec.name, instance: runner.index, rss, limit }, 'memory limit exceeded: restarting');
            this.onEvent?.({ time: this.now(), app: app.spec.name, instance: runner.index, type: 'memory-restart', reason });
            await runner.stop(reason, 'memory');
            return withIndex(runner.index, await runner.start(false));
          } finally {
            this.memoryRestarts.delete(runner);
          }
        });
      }
    }
  }
}
