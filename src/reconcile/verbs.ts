// What an imperative verb (`orch restart web`) does to service, in the plan's own terms, so the
// CLI can say it before acting (SPEC §9) with the same answer a plan would give.
import { type Operation, interrupts, sharesPort } from '../config/modes.js';
import type { AppSpec } from '../config/desired.js';
import { servingCount } from './plan.js';
import type { AppView } from '../supervisor/view.js';

export type AppVerb = 'stop' | 'start' | 'restart' | 'reload' | 'delete';

/** What a verb's effect is computed from: an app's view, with the part of its spec it reads (status's has it). */
export type VerbView = Pick<AppView, 'stopped' | 'instances'> & { readonly spec: Pick<AppSpec, 'mode' | 'port' | 'protocol' | 'reload' | 'instances'> };

/** The operation the daemon carries out for the verb: a reload without a shared port is a restart. */
export const verbOperation = (verb: AppVerb, view: VerbView): Operation => {
  const running = servingCount(view);
  switch (verb) {
    case 'start':
      return { kind: 'start' };
    case 'stop':
    case 'delete':
    case 'restart':
      return { kind: verb, running };
    case 'reload':
      return sharesPort(view.spec) ? { kind: 'reload', from: running, to: view.spec.instances } : { kind: 'restart', running };
  }
};

export interface VerbEffect {
  readonly interrupts: boolean;
  /** The verb that would do the same without interrupting, where one exists. */
  readonly instead: AppVerb | undefined;
}

export const verbEffect = (verb: AppVerb, view: VerbView): VerbEffect => {
  const op = verbOperation(verb, view);
  const interrupting = interrupts(view.spec, op);
  const reloadWouldNot = sharesPort(view.spec) && !interrupts(view.spec, verbOperation('reload', view));
  return { interrupts: interrupting, instead: interrupting && verb === 'restart' && reloadWouldNot ? 'reload' : undefined };
};

/** `orch scale <app> N`: the plan's own scale operation, counted from what serves now. */
export const scaleEffect = (view: VerbView, to: number): VerbEffect => ({
  interrupts: interrupts(view.spec, { kind: 'scale', from: servingCount(view), to }),
  instead: undefined,
});

/**
 * What `orch <verb> <app>` says before acting (SPEC §9), and the dashboard's confirmation too:
 * `restart web: interrupts service (for no interruption: orch reload web)`. `mark` may colour
 * the warning.
 */
export const effectWords = (verb: string, app: string, effect: VerbEffect, mark: (s: string) => string = (s) => s): string => {
  const label = effect.interrupts ? mark('interrupts service') : 'no interruption';
  const instead = effect.instead === undefined ? '' : ` (for no interruption: orch ${effect.instead} ${app})`;
  return `${verb} ${app}: ${label}${instead}`;
};
