// The daemon's status, as the page reads it (pure): one row per app with its instances' numbers
// and what each button would do to service.
import type { ProcessStats, StatusApp } from '../protocol.js';
import { actionsOf } from './labels.js';
import type { AppRow, DashboardState } from './wire.js';

export interface StatusSnapshot {
  readonly apps: readonly StatusApp[];
  readonly stats: Readonly<Record<string, ProcessStats>>;
  readonly generations: Readonly<Record<string, number>>;
  readonly warnings: readonly string[];
}

export const appRowOf = (view: StatusApp, stats: StatusSnapshot['stats'], generations: StatusSnapshot['generations']): AppRow => ({
  name: view.spec.name,
  project: view.spec.project,
  mode: view.spec.mode,
  port: view.spec.port ?? null,
  desired: view.spec.instances,
  stopped: view.stopped,
  generation: generations[view.spec.project] ?? null,
  droppedLines: view.droppedLines ?? 0,
  instances: view.instances.map((i) => {
    const s = i.pid === undefined ? undefined : stats[String(i.pid)];
    return {
      index: i.index,
      state: i.state,
      pid: i.pid ?? null,
      startedAt: i.startedAt ?? null,
      restarts: i.restarts,
      port: i.port ?? null,
      reason: i.reason ?? null,
      lastExit: i.lastExit ?? null,
      cpu: s?.cpu ?? null,
      memory: s?.memory ?? null,
    };
  }),
  actions: actionsOf(view),
});

export const stateOf = (status: StatusSnapshot, time: number): DashboardState => ({
  time,
  apps: status.apps.map((v) => appRowOf(v, status.stats, status.generations)),
  warnings: status.warnings,
});
