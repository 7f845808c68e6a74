// The daemon's verbs: one handler per protocol method. Mutations go through one serial queue;
// the desired state is persisted before it is acted on.
import pidusage from 'pidusage';
import { UsageSampler } from '../process/usage.js';
import type { Logger } from 'pino';
import type { DesiredState } from '../config/desired.js';
import { OrchError } from '../errors.js';
import { sharesPort } from '../config/modes.js';
import { executePlan } from '../reconcile/apply.js';
import { toActionResult } from '../reconcile/results.js';
import { gatherHostFacts } from '../reconcile/facts.js';
import { planActions } from '../reconcile/plan.js';
import { nameTakenMessage } from '../reconcile/preflight.js';
import { summarizePlan } from '../reconcile/render.js';
import type { ActualState, AppView } from '../supervisor/view.js';
import type { SupervisorApi } from '../supervisor/types.js';
import { EventLog } from './events.js';
import type { OrchMetrics } from './metrics.js';
import { DashboardServer } from './dashboard/server.js';
import { openHistory, rollbackFound, rollbackTarget, unknownProjectError } from './history.js';
import { historyLimit } from './history-retention.js';
import type { ActionResult, ApplyReport, DaemonInfo, FileSource, Method, Params, ProcessStats, ProgressEvent, Result, StatusApp } from './protocol.js';
import { PROTOCOL_VERSION } from './protocol.js';
import { SerialQueue } from './serial-queue.js';
import type { PersistedState } from './state-store.js';
import { withoutProject, writeState } from './state-store.js';
import type { BusStats } from './bus-targets.js';

/** An app as `status` reports it: its view with the part of its spec status's readers show. */
const statusApp = ({ spec, ...view }: AppView): StatusApp => ({
  ...view,
  spec: {
    name: spec.name,
    project: spec.project,
    mode: spec.mode,
    port: spec.port,
    ...(spec.protocol === undefined ? {} : { protocol: spec.protocol }),
    reload: spec.reload,
    instances: spec.instances,
  },
});

export type Handler<M extends Method> = (params: Params<M>, emit: (e: ProgressEvent) => void) => Promise<Result<M>>;
export type Handlers = { [M in Method]: Handler<M> };

export interface DaemonDeps {
  readonly supervisor: SupervisorApi;
  readonly logger: Logger;
  readonly home: string;
  readonly statePath: string;
  readonly initialState: PersistedState;
  readonly info: Omit<DaemonInfo, 'protocol' | 'warnings'>;
  /** Shown by `hello` and `status` until the daemon exits. */
  readonly warnings: string[];
  /** Called after `shutdown` has stopped every app. */
  readonly onShutdown: () => void;
  /** The supervisor's recent events per app (`describe`); by default an empty log nothing feeds. */
  readonly events?: EventLog;
  /** The Prometheus metrics (`metrics`), fed by the daemon's applies; by default none. */
  readonly metrics?: OrchMetrics;
  /** Empties log files (`flush`): the supervisor's, which owns the writers; the apps flushed. */
  readonly flushLogs?: (app: string | undefined) => Promise<readonly string[]>;
  /** The message bus's receivers (delivered, dropped), reported by `status`; absent without a bus. */
  readonly busStats?: () => BusStats;
}

export const createDaemon = (deps: DaemonDeps): { handlers: Handlers; resurrect: () => Promise<void> } => {
  const { supervisor, logger } = deps;
  const queue = new SerialQueue();
  let state = deps.initialState;
  const limit = historyLimit(process.env.ORCH_HISTORY_LIMIT);
  if (limit.warning !== undefined) deps.warnings.push(limit.warning);
  const history = openHistory(deps.home, limit.limit, (message) => {
    logger.warn(message);
    deps.warnings.push(message);
  });

  const persist = async (next: PersistedState): Promise<void> => {
    await writeState(deps.statePath, next, state);
    state = next;
  };
  // WARNING: stop, delete and down act even when the state cannot be written (a full disk, SPEC
  // §10): the processes stop, memory keeps the new state for the next write, the CLI gets a warning.
  const persistOrWarn = async (next: PersistedState): Promise<string | undefined> => {
    try {
      await persist(next);
      return undefined;
    } catch (err) {
      state = next;
      logger.warn({ err }, 'state file not written; acting anyway');
      return `the state file could not be written (${(err as Error).message}): a daemon restart may undo this until the next successful write`;
    }
  };
  const events = deps.events ?? new EventLog();
  // Every app of the project hears of the generation; an app the plan deleted loses its events with it.
  const recordApplied = (project: string, generation: number, results: readonly ActionResult[], planned: readonly string[]): void => {
    const time = Date.now();
    const byApp = new Map(results.map((r) => [r.app, r]));
    const apps = new Set([...supervisor.apps().filter((a) => a.spec.project === project).map((a) => a.spec.name), ...planned]);
    for (const app of [...apps].sort()) {
      const r = byApp.get(app);
      if (r?.type === 'delete' && r.ok) {
        events.forget(app);
        deps.metrics?.forget(app);
        continue;
      }
      events.record({
        time,
        app,
        instance: null,
        type: 'applied',
        project,
        generation,
        ...(r === undefined ? {} : { action: r.type, status: r.status }),
        ...(r?.reason === undefined ? {} : { reason: r.reason }),
      });
    }
    deps.metrics?.applied(project, results.every((r) => r.ok) ? 'converged' : 'failed');
  };
  // Linux: kept /proc descriptors (src/process/usage.ts), ~6x faster than pidusage at 1,000 pids.
  const usageSampler = new UsageSampler();
  const sampleStats = async (pids: readonly number[], all: boolean): Promise<Record<string, ProcessStats>> => {
    const stats: Record<string, ProcessStats> = {};
    if (pids.length === 0) return stats;
    if (process.platform === 'linux') {
      for (const [pid, u] of usageSampler.sample(pids, { all })) stats[pid] = { cpu: u.cpu, memory: u.memory };
      return stats;
    }
    try {
      const usage = await pidusage([...pids]);
      for (const [pid, u] of Object.entries(usage)) if (u) stats[pid] = { cpu: u.cpu, memory: u.memory };
    } catch {
      // a process exited between listing and sampling: report without stats
    }
    return stats;
  };
  const withWarning = <R extends ActionResult>(result: R, warning: string | undefined): R => (warning === undefined ? result : { ...result, warning });
  const actual = (): ActualState => ({ apps: supervisor.apps() });
  const appOrThrow = (name: string) => {
    const app = supervisor.app(name);
    if (!app) throw new OrchError('ORCH_UNKNOWN_APP', `no app named '${name}' (see 'orch status')`);
    return app;
  };

  const apply = async (
    desired: DesiredState,
    emit: (e: ProgressEvent) => void,
    origin: { source?: FileSource | undefined; rollbackOf?: number | undefined } = {},
  ): Promise<ApplyReport> => {
    // The pre-flight: every refusal known before acting is in the plan, as `diff` shows it.
    const now = actual();
    const plan = planActions(desired, now, gatherHostFacts(desired, now, process.pid));
    const taken = nameTakenMessage(desired.file, plan.refusals);
    if (taken !== undefined) throw new OrchError('ORCH_CONFIG_INVALID', taken);
    const names = new Set(desired.apps.map((a) => a.name));
    // Every apply is a generation (an audit trail); one that changes nothing is a small repeat entry.
    const generation = Math.max(state.nextGeneration, await history.nextNumber());
    await persist({
      ...state,
      projects: { ...state.projects, [desired.project]: desired },
      stopped: state.stopped.filter((n) => !names.has(n)),
      generations: { ...state.generations, [desired.project]: generation },
      nextGeneration: generation + 1,
    });
    await history.record(
      {
        number: generation,
        project: desired.project,
        time: Date.now(),
        file: desired.file,
        hash: desired.hash,
        ...origin.source,
        summary: summarizePlan(plan),
        ...(origin.rollbackOf === undefined ? {} : { rollbackOf: origin.rollbackOf }),
      },
      desired,
    );
    emit({ type: 'plan', plan });
    const log = logger.child({ project: desired.project, file: desired.file });
    log.info({ actions: plan.actions.map((a) => `${a.type} ${a.app}`) }, 'apply');
    const results = await executePlan(plan, supervisor, (e) => {
      if (e.type === 'action-done') log.info({ ...e.result }, 'action done');
      emit(e);
    });
    recordApplied(desired.project, generation, results, plan.actions.map((a) => a.app));
    return { plan, results, generation };
  };

  // Keep the persisted desired state in step with imperative deletes, so a daemon restart
  // does not bring a deleted app back.
  const forgetApp = (name: string): PersistedState => {
    const projects = Object.fromEntries(
      Object.entries(state.projects).map(([p, d]) => [p, { ...d, apps: d.apps.filter((a) => a.name !== name) }]),
    );
    return { ...state, projects, stopped: state.stopped.filter((n) => n !== name) };
  };

  const handlers: Handlers = {
    hello: async () => ({ protocol: PROTOCOL_VERSION, ...deps.info, warnings: deps.warnings }),
    actual: async () => actual(),
    status: async () => {
      const apps = supervisor.apps();
      const pids = apps.flatMap((a) => a.instances.map((i) => i.pid)).filter((p): p is number => p !== undefined);
      const stats = await sampleStats(pids, true);
      return { apps: apps.map(statusApp), stats, generations: { ...state.generations }, warnings: deps.warnings, ...(deps.busStats ? { bus: deps.busStats() } : {}) };
    },
    apply: (p, emit) => queue.run(() => apply(p.desired, emit, { source: p.source })),
    history: async (p) => {
      const generations = await history.list(p.project);
      if (p.project !== undefined && generations.length === 0) {
        // Known: it has a generation, is persisted, or runs.
        const known = [...(await history.projects()), ...Object.keys(state.projects), ...supervisor.apps().map((a) => a.spec.project)];
        const unknown = unknownProjectError(p.project, known);
        if (unknown) throw unknown;
      }
      return generations;
    },
    rollback: (p, emit) =>
      queue.run(async () => {
        if (p.project !== undefined) {
          const known = [...(await history.projects()), ...Object.keys(state.projects), ...supervisor.apps().map((a) => a.spec.project)];
          const unknown = unknownProjectError(p.project, known);
          if (unknown) throw unknown;
        }
        // WARNING: generation numbers are global across projects; --project must be checked, not only defaulted.
        const target = rollbackTarget(p.number, rollbackFound(await history.rollbackSource(p.number, p.project)), p.project);
        if (!target.ok) throw target.error;
        // A repeat entry resolves to the full generation it repeats: that is what is re-applied.
        return apply(target.record.desired, emit, { rollbackOf: target.record.info.number });
      }),
    stop: (p) =>
      queue.run(async () => {
        appOrThrow(p.app);
        const warning = await persistOrWarn({ ...state, stopped: [...new Set([...state.stopped, p.app])] });
        return withWarning(toActionResult(p.app, 'stop', await supervisor.stop(p.app)), warning);
      }),
    start: (p) =>
      queue.run(async () => {
        appOrThrow(p.app);
        await persist({ ...state, stopped: state.stopped.filter((n) => n !== p.app) });
        return toActionResult(p.app, 'start', await supervisor.start(p.app));
      }),
    restart: (p) => queue.run(async () => toActionResult(p.app, 'restart', await supervisor.restart(appOrThrow(p.app).spec))),
    reload: (p) =>
      queue.run(async () => {
        const { spec } = appOrThrow(p.app);
        logger.info({ app: p.app, reason: p.reason ?? 'requested' }, 'reload');
        // A fork-mode app has no shared port to hold connections: its reload is a restart, and says so.
        return sharesPort(spec)
          ? toActionResult(p.app, 'reload', await supervisor.reload(spec))
          : toActionResult(p.app, 'restart', await supervisor.restart(spec));
      }),
    delete: (p) =>
      queue.run(async () => {
        appOrThrow(p.app);
        const warning = await persistOrWarn(forgetApp(p.app));
        const result = await supervisor.remove(p.app);
        events.forget(p.app);
        deps.metrics?.forget(p.app);
        return withWarning(toActionResult(p.app, 'delete', result), warning);
      }),
    down: (p) =>
      queue.run(async () => {
        const names = supervisor
          .apps()
          .filter((a) => a.spec.project === p.project)
          .map((a) => a.spec.name);
        const next = withoutProject(state, p.project, names);
        const warning = next ? await persistOrWarn(next.state) : undefined;
        // The plan of an empty file: every app deleted in the one delete order, dependents (and
        // so every app of an agent's project) before what they depend on.
        const plan = planActions({ project: p.project, file: '', hash: '', apps: [] }, actual());
        const results = await executePlan(plan, supervisor);
        for (const name of names) events.forget(name);
        for (const name of names) deps.metrics?.forget(name);
        deps.metrics?.forgetProject(p.project);
        return results.map((r, k) => (k === 0 ? withWarning(r, warning) : r));
      }),
    describe: async (p) => {
      const app = appOrThrow(p.app);
      const pids = app.instances.map((i) => i.pid).filter((pid): pid is number => pid !== undefined);
      return { app, stats: await sampleStats(pids, false), generation: state.generations[app.spec.project] ?? null, events: events.of(p.app) };
    },
    // Imperative, like stop: the persisted desired state keeps the file's count (a daemon restart
    // converges back to it) and the next diff shows the difference as a scale.
    scale: (p) =>
      queue.run(async () => {
        const { spec } = appOrThrow(p.app);
        if (spec.role === 'agent' && p.instances !== 1) {
          throw new OrchError('ORCH_USAGE', `'${p.app}' is its project's agent: it runs exactly one instance`);
        }
        return toActionResult(p.app, 'scale', await supervisor.scale({ ...spec, instances: p.instances }));
      }),
    flush: async (p) => {
      const flush = deps.flushLogs ?? (async () => []);
      if (p.app === undefined) return { apps: await flush(undefined) };
      const flushed = await flush(p.app);
      // Had no logs and runs nothing: a typo, not a success.
      if (flushed.length === 0 && supervisor.app(p.app) === undefined) {
        throw new OrchError('ORCH_UNKNOWN_APP', `no app named '${p.app}' and no logs of it (see 'orch status')`);
      }
      return { apps: [p.app] };
    },
    // The web dashboard (SPEC §12): served by this daemon, reading it through these same handlers.
    dashboard: (p) => dashboard.open(p),
    events: async (p) => {
      if (p.app !== undefined && supervisor.app(p.app) === undefined && events.of(p.app).length === 0) {
        throw new OrchError('ORCH_UNKNOWN_APP', `no app named '${p.app}' and no events of it (see 'orch status')`);
      }
      return { events: events.query(p), last: events.lastSeq() };
    },
    metrics: async () => {
      if (deps.metrics === undefined) return { text: '', contentType: 'text/plain; version=0.0.4; charset=utf-8' };
      return { text: await deps.metrics.text(), contentType: deps.metrics.contentType };
    },
    shutdown: () =>
      queue.run(async () => {
        const stopped = supervisor.apps().length;
        await supervisor.shutdown();
        setImmediate(deps.onShutdown);
        return { stopped };
      }),
  };

  const dashboard = new DashboardServer({ api: handlers, subscribeEvents: (listener) => events.subscribe(listener), home: deps.home, logger });

  // Converge to what was last applied, as after any apply (SPEC §7). Apps stopped by the user stay stopped.
  const resurrect = () =>
    queue.run(async () => {
      for (const desired of Object.values(state.projects)) {
        const kept = { ...desired, apps: desired.apps.filter((a) => !state.stopped.includes(a.name)) };
        const now = actual();
        const plan = planActions(kept, now, gatherHostFacts(kept, now, process.pid));
        const results = await executePlan({ ...plan, actions: plan.actions.filter((a) => a.type !== 'delete') }, supervisor);
        logger.info({ project: desired.project, results }, 'resurrected');
      }
    });

  return { handlers, resurrect };
};
