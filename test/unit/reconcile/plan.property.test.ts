import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planActions } from '../../../src/reconcile/plan.js';
import { planToJson, renderPlan, summarizePlan } from '../../../src/reconcile/render.js';
import { interruptsService } from '../../../src/reconcile/types.js';
import type { ActualState } from '../../../src/supervisor/view.js';
import { actualArb, compared, deepFreeze, desiredArb, SECRET_MARK, simulate } from './arbitraries.js';
import { PROJECT } from './builders.js';

const scenario = desiredArb.chain((want) => actualArb(want).map((have) => ({ want, have })));

const projectApps = (state: ActualState, project: string) => state.apps.filter((v) => v.spec.project === project);

describe('planActions, properties', () => {
  it('executing the plan reaches the file, leaves other projects alone, and planning again finds nothing', () => {
    fc.assert(
      fc.property(scenario, ({ want, have }) => {
        const after = simulate(have, planActions(want, have));
        expect(projectApps(after, PROJECT).map((v) => compared(v.spec))).toEqual(want.apps.map(compared));
        expect(projectApps(after, 'other')).toEqual(projectApps(have, 'other'));
        // Healthy by an oracle of its own, not by the planner's idea of drift.
        for (const v of projectApps(after, PROJECT)) {
          expect(v.stopped).toBe(false);
          expect(v.instances.filter((i) => i.state === 'errored' || i.state === 'rollback')).toEqual([]);
          expect(v.instances.length).toBeGreaterThanOrEqual(v.spec.instances);
        }
        expect(planActions(want, after).actions).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('one action per app, deletes first, each in dependency order', () => {
    fc.assert(
      fc.property(scenario, ({ want, have }) => {
        const { actions } = planActions(want, have);
        const apps = actions.map((a) => a.app);
        expect(new Set(apps).size).toBe(apps.length);

        const firstOther = actions.findIndex((a) => a.type !== 'delete');
        if (firstOther >= 0) expect(actions.slice(firstOther).every((a) => a.type !== 'delete')).toBe(true);

        const at = new Map(apps.map((app, i) => [app, i]));
        for (const [i, a] of actions.entries()) {
          if (a.type === 'delete') {
            // A deleted app goes after every deleted app that depends on it.
            for (const v of have.apps.filter((v) => v.spec.project === PROJECT && v.spec.dependsOn.includes(a.app))) {
              const j = at.get(v.spec.name);
              if (j !== undefined && actions[j]!.type === 'delete') expect(j).toBeLessThan(i);
            }
          } else {
            for (const dep of a.spec.dependsOn) {
              const j = at.get(dep);
              if (j !== undefined) expect(j).toBeLessThan(i);
            }
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('is pure: same inputs, same plan, inputs untouched', () => {
    fc.assert(
      fc.property(scenario, ({ want, have }) => {
        const first = planActions(deepFreeze(want), deepFreeze(have));
        expect(planActions(want, have)).toEqual(first);
      }),
      { numRuns: 200 },
    );
  });

  it('never touches an app of another project', () => {
    fc.assert(
      fc.property(scenario, ({ want, have }) => {
        const others = new Set(projectApps(have, 'other').map((v) => v.spec.name));
        expect(planActions(want, have).actions.filter((a) => others.has(a.app))).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('renders without secrets, and the JSON agrees with the plan', () => {
    fc.assert(
      fc.property(scenario, fc.boolean(), ({ want, have }, color) => {
        const plan = planActions(want, have);
        const json = planToJson(plan);
        expect(renderPlan(plan, { color })).not.toContain(SECRET_MARK);
        expect(JSON.stringify(json)).not.toContain(SECRET_MARK);
        expect(json.changes).toBe(plan.actions.length > 0);
        expect(json.actions.map((a) => [a.type, a.app, a.interrupts])).toEqual(
          plan.actions.map((a) => [a.type, a.app, interruptsService(a)]),
        );
        const s = summarizePlan(plan);
        expect(s.create + s.change + s.delete).toBe(plan.actions.length);
      }),
      { numRuns: 200 },
    );
  });
});
