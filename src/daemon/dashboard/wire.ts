// What the dashboard's HTTP API answers: the contract between the daemon (server.ts) and the page
// (src/dashboard-ui/). Types only, plain JSON; the page imports them, so the two cannot drift.
import type { OrchEvent } from '../events.js';
import type { InstanceStateName, LastExit } from '../../supervisor/view.js';
import type { GenerationInfo } from '../history.js';

/** An app's event as the daemon's event log keeps it (the supervisor's and the daemon's own). */
export type AppEvent = OrchEvent;
export type { GenerationInfo };

/** The buttons of the page: the verbs that keep the app (delete stays a CLI verb). */
export type DashboardVerb = 'reload' | 'restart' | 'stop' | 'start';
export const DASHBOARD_VERBS: readonly DashboardVerb[] = ['reload', 'restart', 'stop', 'start'];

export interface InstanceRow {
  readonly index: number;
  readonly state: InstanceStateName;
  readonly pid: number | null;
  /** Epoch ms when the current process started. */
  readonly startedAt: number | null;
  readonly restarts: number;
  readonly port: number | null;
  readonly reason: string | null;
  readonly lastExit: LastExit | null;
  /** Percent of one core; null when not sampled (no process). */
  readonly cpu: number | null;
  /** Resident set size, bytes. */
  readonly memory: number | null;
}

export interface ActionEffect {
  readonly interrupts: boolean;
  /** The words `orch <verb> <app>` prints before acting, exactly (SPEC §9). */
  readonly label: string;
}

export interface AppRow {
  readonly name: string;
  readonly project: string;
  readonly mode: string;
  readonly port: number | null;
  readonly desired: number;
  readonly stopped: boolean;
  readonly generation: number | null;
  readonly droppedLines: number;
  readonly instances: readonly InstanceRow[];
  readonly actions: Readonly<Record<DashboardVerb, ActionEffect>>;
}

/** GET /api/state, and the `state` of every tick of GET /api/stream. */
export interface DashboardState {
  /** Epoch ms of the snapshot. */
  readonly time: number;
  readonly apps: readonly AppRow[];
  readonly warnings: readonly string[];
}

/** One point of an instance's chart. */
export interface Sample {
  readonly time: number;
  readonly cpu: number;
  readonly memory: number;
}

/**
 * GET /api/stream sends `tick` messages (the state, and a sample when one was taken) and `events`
 * messages (a readonly AppEvent[]: events as they are recorded).
 */
export interface Tick {
  readonly state: DashboardState;
  /** Keyed by `app#index`. */
  readonly samples?: Readonly<Record<string, Sample>>;
}

/** GET /api/apps/<app>/samples: the ring of each of the app's instances, oldest first, keyed by `app#index`. */
export type SampleSeries = Readonly<Record<string, readonly Sample[]>>;

/** GET /api/apps/<app>/logs sends `lines` messages. */
export interface LogLine {
  readonly time: string;
  readonly instance: number | null;
  readonly stream: 'out' | 'err' | null;
  readonly line: string;
}

/** What a failed API request answers (with its HTTP status). */
export interface ApiError {
  readonly code: string;
  readonly message: string;
}

export const instanceKey = (app: string, index: number): string => `${app}#${index}`;
