// What each button of the page does to service: the plan's own answer (verbEffect), in the words
// `orch <verb> <app>` prints (src/cli/commands/app-verb.ts effectLabel, uncoloured); a unit test
// holds the two equal.
import { type VerbEffect, verbEffect } from '../../reconcile/verbs.js';
import type { AppView } from '../../supervisor/view.js';
import { type ActionEffect, DASHBOARD_VERBS, type DashboardVerb } from './wire.js';

export const effectWords = (verb: string, app: string, effect: VerbEffect): string =>
  `${verb} ${app}: ${effect.interrupts ? 'interrupts service' : 'no interruption'}${
    effect.instead === undefined ? '' : ` (for no interruption: orch ${effect.instead} ${app})`
  }`;

export const actionsOf = (view: AppView): Record<DashboardVerb, ActionEffect> =>
  Object.fromEntries(
    DASHBOARD_VERBS.map((verb) => {
      const effect = verbEffect(verb, view);
      return [verb, { interrupts: effect.interrupts, label: effectWords(verb, view.spec.name, effect) }];
    }),
  ) as Record<DashboardVerb, ActionEffect>;
