// What each button of the page does to service: the plan's own answer (verbEffect), in the very
// words `orch <verb> <app>` prints (effectWords, shared with the CLI).
import { effectWords, verbEffect } from '../../reconcile/verbs.js';
import type { StatusApp } from '../protocol.js';
import { type ActionEffect, DASHBOARD_VERBS, type DashboardVerb } from './wire.js';

export const actionsOf = (view: StatusApp): Record<DashboardVerb, ActionEffect> =>
  Object.fromEntries(
    DASHBOARD_VERBS.map((verb) => {
      const effect = verbEffect(verb, view);
      return [verb, { interrupts: effect.interrupts, label: effectWords(verb, view.spec.name, effect) }];
    }),
  ) as Record<DashboardVerb, ActionEffect>;
