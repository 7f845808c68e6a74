// The Prometheus metrics of SPEC §12, with prom-client. Everything is computed when someone asks
// (`orch metrics`, `GET /metrics`): the supervisor's view and /proc are read in the collect
// callbacks, the counters fed by the event log are plain numbers until then (the restarts by
// reason add up to the view's RESTARTS at each scrape). No timer: a daemon nobody scrapes does no
// work for its metrics.
import { constants } from 'node:os';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AppView, InstanceStateName, InstanceView } from '../supervisor/view.js';
import type { OrchEvent } from './events.js';
import { announceMemoryRestart, countCrashRestart, emptyTally, RESTART_REASONS, type RestartTally, settleRestarts } from './restart-tally.js';

/** What the metrics read at scrape time. */
export interface MetricsSource {
  apps(): readonly AppView[];
  /** The project of a running app (an event names only its app). */
  projectOf(app: string): string | undefined;
  /** CPU seconds and resident bytes of a live process, read now; undefined fields when it is gone. */
  sample(pid: number): Promise<{ cpuSeconds?: number | undefined; rssBytes?: number | undefined }>;
}

export const INSTANCE_STATES: readonly InstanceStateName[] = ['starting', 'online', 'stopping', 'stopped', 'backoff', 'errored', 'rollback'];
/** How a rolling reload ended: every instance replaced, rolled back (old instances kept), or replaced but not all serving. */
export const RELOAD_RESULTS = ['success', 'rolled_back', 'failed'] as const;
/** How an apply ended: every action ok (exit 0), or some failed (exit 3). */
export const APPLY_RESULTS = ['converged', 'failed'] as const;
export const RELOAD_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

type ReloadResult = (typeof RELOAD_RESULTS)[number];
type ApplyResult = (typeof APPLY_RESULTS)[number];

interface Sampled {
  readonly apps: readonly AppView[];
  readonly samples: ReadonlyMap<number, { cpuSeconds?: number | undefined; rssBytes?: number | undefined }>;
}

const readyStates: ReadonlySet<InstanceStateName> = new Set(['online', 'rollback']);

/** The exit code, or 128 + the signal's number for an exit by signal (the shell's convention). */
export const exitCodeValue = (code: number | null, signal: string | null): number | undefined => {
  if (code !== null) return code;
  if (signal === null) return undefined;
  const n = (constants.signals as Record<string, number | undefined>)[signal];
  return n === undefined ? undefined : 128 + n;
};

export class OrchMetrics {
  readonly registry = new Registry();
  /** app → instance → its restarts by reason. */
  private readonly restarts = new Map<string, Map<number, RestartTally>>();
  private readonly reloads = new Map<string, Record<ReloadResult, number>>();
  private readonly applies = new Map<string, Record<ApplyResult, number>>();
  /** app → project, as last seen: an event names only its app. */
  private readonly projects = new Map<string, string>();
  private readonly reloadStarted = new Map<string, number>();
  private readonly reloadDuration: Histogram<'project' | 'app'>;
  /** The view and /proc samples of the scrape under way, shared by every collect callback. */
  private sampled: Sampled | undefined;
  private scraping: Promise<unknown> = Promise.resolve();

  constructor(private readonly source: MetricsSource) {
    const registers = [this.registry];
    // The collect callbacks' `this` is their metric: the state they read is captured here.
    const { reloads, applies } = this;
    const view = (): Sampled => this.view();
    const updateTally = (app: string, index: number, fn: (t: RestartTally) => RestartTally): RestartTally => this.updateTally(app, index, fn);
    const appLabels = ['project', 'app'] as const;
    const instanceLabels = ['project', 'app', 'instance'] as const;
    const eachApp = (fn: (app: AppView, labels: { project: string; app: string }) => void): void => {
      for (const app of view().apps) fn(app, { project: app.spec.project, app: app.spec.name });
    };
    const eachInstance = (fn: (i: InstanceView, labels: { project: string; app: string; instance: string }, app: AppView) => void): void => {
      eachApp((app, labels) => {
        for (const i of app.instances) fn(i, { ...labels, instance: String(i.index) }, app);
      });
    };

    new Gauge({
      name: 'orch_app_desired_instances',
      help: 'Instances the app should run: its spec, 0 while it is stopped (orch stop).',
      labelNames: appLabels,
      registers,
      collect() {
        this.reset();
        eachApp((app, labels) => this.set(labels, app.stopped ? 0 : app.spec.instances));
      },
    });
    new Gauge({
      name: 'orch_app_ready_instances',
      help: 'Instances whose readiness passed and that serve now (online, or kept by a rollback).',
      labelNames: appLabels,
      registers,
      collect() {
        this.reset();
        eachApp((app, labels) => this.set(labels, app.instances.filter((i) => readyStates.has(i.state)).length));
      },
    });
    new Gauge({
      name: 'orch_process_up',
      help: '1 when the instance has a running process (starting, online, stopping, rollback), else 0.',
      labelNames: instanceLabels,
      registers,
      collect() {
        this.reset();
        eachInstance((i, labels) => this.set(labels, i.pid === undefined ? 0 : 1));
      },
    });
    new Gauge({
      name: 'orch_process_state',
      help: 'The instance state: 1 for the current one, 0 for the others.',
      labelNames: [...instanceLabels, 'state'],
      registers,
      collect() {
        this.reset();
        eachInstance((i, labels) => {
          for (const state of INSTANCE_STATES) this.set({ ...labels, state }, i.state === state ? 1 : 0);
        });
      },
    });
    new Counter({
      name: 'orch_process_restarts_total',
      help: 'Restarts of the instance since the daemon started, by reason: crash (after its back-off), memory (over max_memory), restart (asked for: restart, start, apply).',
      labelNames: [...instanceLabels, 'reason'],
      registers,
      collect() {
        this.reset();
        eachInstance((i, labels) => {
          // The restarts no event named (asked for) are counted now, so the sum is the view's.
          const { counts } = updateTally(labels.app, i.index, (t) => settleRestarts(t, i.restarts));
          for (const reason of RESTART_REASONS) this.inc({ ...labels, reason }, counts[reason]);
        });
      },
    });
    new Gauge({
      name: 'orch_process_start_time_seconds',
      help: 'Start time of the instance\'s current process, seconds since the Unix epoch.',
      labelNames: instanceLabels,
      registers,
      collect() {
        this.reset();
        eachInstance((i, labels) => {
          if (i.pid !== undefined && i.startedAt !== undefined) this.set(labels, i.startedAt / 1000);
        });
      },
    });
    new Counter({
      name: 'orch_process_cpu_seconds_total',
      help: 'User and system CPU time of the instance\'s current process (its main pid), seconds.',
      labelNames: instanceLabels,
      registers,
      collect() {
        this.reset();
        eachInstance((i, labels) => {
          const cpu = i.pid === undefined ? undefined : view().samples.get(i.pid)?.cpuSeconds;
          if (cpu !== undefined) this.inc(labels, cpu);
        });
      },
    });
    new Gauge({
      name: 'orch_process_resident_memory_bytes',
      help: 'Resident set size of the instance\'s current process (its main pid), bytes.',
      labelNames: instanceLabels,
      registers,
      collect() {
        this.reset();
        eachInstance((i, labels) => {
          const rss = i.pid === undefined ? undefined : view().samples.get(i.pid)?.rssBytes;
          if (rss !== undefined) this.set(labels, rss);
        });
      },
    });
    new Gauge({
      name: 'orch_process_last_exit_code',
      help: 'Exit code of the instance\'s last process; 128 + the signal number when a signal ended it.',
      labelNames: instanceLabels,
      registers,
      collect() {
        this.reset();
        eachInstance((i, labels) => {
          const code = i.lastExit === undefined ? undefined : exitCodeValue(i.lastExit.code, i.lastExit.signal);
          if (code !== undefined) this.set(labels, code);
        });
      },
    });
    new Counter({
      name: 'orch_reloads_total',
      help: 'Rolling reloads since the daemon started, by result: success, rolled_back, failed.',
      labelNames: [...appLabels, 'result'],
      registers,
      collect() {
        this.reset();
        eachApp((app, labels) => {
          const counts = reloads.get(labels.app);
          for (const result of RELOAD_RESULTS) this.inc({ ...labels, result }, counts?.[result] ?? 0);
        });
      },
    });
    this.reloadDuration = new Histogram({
      name: 'orch_reload_duration_seconds',
      help: 'Duration of rolling reloads, from the first new instance started to the last old one stopped (or the rollback decided), seconds.',
      labelNames: appLabels,
      buckets: RELOAD_BUCKETS,
      registers,
    });
    new Counter({
      name: 'orch_applies_total',
      help: 'Applies (and rollbacks) carried out since the daemon started, by result: converged, failed.',
      labelNames: ['project', 'result'],
      registers,
      collect() {
        this.reset();
        for (const [project, counts] of [...applies].sort(([a], [b]) => a.localeCompare(b))) {
          for (const result of APPLY_RESULTS) this.inc({ project, result }, counts[result]);
        }
      },
    });
    new Counter({
      name: 'orch_log_lines_dropped_total',
      help: 'Output lines of the app dropped because its log file could not be written (a full disk).',
      labelNames: appLabels,
      registers,
      collect() {
        this.reset();
        eachApp((app, labels) => this.inc(labels, app.droppedLines ?? 0));
      },
    });
  }

  /** The text exposition, computed now. Scrapes run one at a time (they share one sample). */
  text(): Promise<string> {
    const run = this.scraping.then(async () => {
      const apps = this.source.apps();
      const pids = apps.flatMap((a) => a.instances.flatMap((i) => (i.pid === undefined ? [] : [i.pid])));
      const samples = new Map(await Promise.all(pids.map(async (pid) => [pid, await this.source.sample(pid)] as const)));
      this.sampled = { apps, samples };
      try {
        return await this.registry.metrics();
      } finally {
        this.sampled = undefined;
      }
    });
    this.scraping = run.catch(() => undefined);
    return run;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Fed by the event log: crash and memory restarts, reloads. */
  observe(e: OrchEvent): void {
    switch (e.type) {
      case 'restarting': {
        const { restarts } = e;
        if (e.instance !== null && restarts !== undefined) this.updateTally(e.app, e.instance, (t) => countCrashRestart(t, restarts));
        return;
      }
      case 'memory-restart':
        if (e.instance !== null) this.updateTally(e.app, e.instance, announceMemoryRestart);
        return;
      case 'reload-started': {
        this.reloadStarted.set(e.app, e.time);
        const project = this.source.projectOf(e.app);
        if (project !== undefined) this.projects.set(e.app, project);
        return;
      }
      case 'reload-done':
        this.reloadEnded(e.app, e.time, e.reason === undefined ? 'success' : 'failed');
        return;
      case 'rolled-back':
        this.reloadEnded(e.app, e.time, 'rolled_back');
        return;
      default:
        return;
    }
  }

  /** An apply (or rollback) of `project` ended. */
  applied(project: string, result: ApplyResult): void {
    const counts = this.applies.get(project) ?? { converged: 0, failed: 0 };
    counts[result]++;
    this.applies.set(project, counts);
  }

  /** A deleted app's series go with it. */
  forget(app: string): void {
    this.restarts.delete(app);
    this.reloads.delete(app);
    this.reloadStarted.delete(app);
    const project = this.projects.get(app);
    if (project !== undefined) this.reloadDuration.remove({ project, app });
    this.projects.delete(app);
  }

  /** A project `orch down` removed: its apply counts go too. */
  forgetProject(project: string): void {
    this.applies.delete(project);
  }

  private view(): Sampled {
    // Outside text() (a collect called by someone else): the view without /proc samples.
    return this.sampled ?? { apps: this.source.apps(), samples: new Map() };
  }

  private updateTally(app: string, instance: number, fn: (t: RestartTally) => RestartTally): RestartTally {
    let byInstance = this.restarts.get(app);
    if (byInstance === undefined) {
      byInstance = new Map();
      this.restarts.set(app, byInstance);
    }
    const next = fn(byInstance.get(instance) ?? emptyTally);
    byInstance.set(instance, next);
    return next;
  }

  private reloadEnded(app: string, time: number, result: ReloadResult): void {
    const counts = this.reloads.get(app) ?? { success: 0, rolled_back: 0, failed: 0 };
    counts[result]++;
    this.reloads.set(app, counts);
    const started = this.reloadStarted.get(app);
    this.reloadStarted.delete(app);
    const project = this.projects.get(app);
    if (started !== undefined && project !== undefined) this.reloadDuration.observe({ project, app }, Math.max(0, time - started) / 1000);
  }
}
