// What carrying out an action came to, and the progress a long operation streams. Produced here
// (apply.ts) and by the daemon's imperative verbs; the protocol and the CLI import them.
import type { OpResult } from '../supervisor/types.js';
import type { ActionType, Plan } from './types.js';

/** `skipped`: nothing of it ran, because an action it waits for failed. */
export type ActionStatus = 'ok' | 'failed' | 'skipped';

export interface ActionResult {
  readonly app: string;
  /** A plan action's type, or `stop` (imperative only: no plan stops an app). */
  readonly type: ActionType | 'stop';
  readonly status: ActionStatus;
  /** `status === 'ok'`, kept for the documented JSON shape (`{ app, type, ok, reason? }`). */
  readonly ok: boolean;
  readonly reason?: string;
  /** Done, but something was not: the state file could not be written (a full disk, SPEC §10). */
  readonly warning?: string;
}

export const succeeded = (app: string, type: ActionResult['type']): ActionResult => ({ app, type, status: 'ok', ok: true });

export const failed = (app: string, type: ActionResult['type'], reason: string): ActionResult => ({
  app,
  type,
  status: 'failed',
  ok: false,
  reason,
});

export const skipped = (app: string, type: ActionResult['type'], failedDependency: string): ActionResult => ({
  app,
  type,
  status: 'skipped',
  ok: false,
  reason: `not started: dependency ${failedDependency} failed`,
});

/** The supervisor's outcome of one action, as a result. */
export const toActionResult = (app: string, type: ActionResult['type'], outcome: OpResult): ActionResult =>
  outcome.ok ? succeeded(app, type) : failed(app, type, outcome.reason);

/** Progress of a long operation, streamed before its response. */
export type ProgressEvent =
  | { readonly type: 'plan'; readonly plan: Plan }
  | { readonly type: 'action-start'; readonly app: string; readonly action: string }
  | { readonly type: 'action-done'; readonly result: ActionResult };
