import { describe, expect, it } from 'vitest';
import { planActions } from '../../../src/reconcile/plan.js';
import { scaleEffect, verbEffect } from '../../../src/reconcile/verbs.js';
import { actual, desired, spec, view } from './builders.js';

describe('scaleEffect', () => {
  it.each([
    ['up', spec({ instances: 1 }), 3, false],
    ['down, no port', spec({ instances: 3 }), 1, false],
    ['down, fork ports close', spec({ instances: 3, port: 3000 }), 1, true],
    ['down, cluster shares its port', spec({ instances: 3, port: 3000, mode: 'cluster' }), 1, false],
    ['to 0', spec({ instances: 2 }), 0, true],
  ])('%s', (_name, s, to, interrupting) => {
    expect(scaleEffect(view(s), to)).toEqual({ interrupts: interrupting, instead: undefined });
  });

  it('a stopped app serves nothing: scaling it interrupts nothing', () => {
    expect(scaleEffect(view(spec({ instances: 2 }), { stopped: true }), 0).interrupts).toBe(false);
  });
});

describe('orch scale is drift for the next diff', () => {
  it('a running spec scaled to 3 against a file that says 1 plans a scale 3 → 1', () => {
    const file = spec({ instances: 1 });
    const scaled = view({ ...file, instances: 3 });
    const plan = planActions(desired([file]), actual([scaled]));
    expect(plan.actions).toMatchObject([{ type: 'scale', app: file.name, from: 3, to: 1 }]);
  });
});

describe('verbEffect', () => {
  it('restart of a shared-port app names reload as the verb that would not interrupt', () => {
    expect(verbEffect('restart', view(spec({ instances: 2, port: 3000, mode: 'cluster' })))).toEqual({ interrupts: true, instead: 'reload' });
  });
});
