// diff predicts apply (SPEC §9): over random (desired, actual, host facts), apply refuses exactly
// what the plan's refusals say, with the same words, and nothing else for a plan-time reason.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { instancePorts } from '../../../src/config/modes.js';
import { executePlan } from '../../../src/reconcile/apply.js';
import { planActions } from '../../../src/reconcile/plan.js';
import { nameTakenMessage } from '../../../src/reconcile/preflight.js';
import type { ActualState } from '../../../src/supervisor/view.js';
import type { HostFacts, PortHolder } from '../../../src/reconcile/types.js';
import { NO_FACTS } from '../../../src/reconcile/types.js';
import type { SupervisorApi } from '../../../src/supervisor/types.js';
import { actualArb, desiredArb } from './arbitraries.js';

const FOREIGN = 5000;

/** Each port the file wants: free, held by a foreign process, or held by one running instance. */
const factsArb = (ports: readonly number[], have: ActualState): fc.Arbitrary<HostFacts> => {
  const pids = have.apps.flatMap((v) => v.instances.flatMap((i) => (i.pid === undefined ? [] : [i.pid])));
  const holderArb = (port: number): fc.Arbitrary<PortHolder | undefined> =>
    fc.oneof(
      fc.constant(undefined),
      fc.constant<PortHolder>({ port, pids: [FOREIGN + port], pgids: [FOREIGN + port], command: 'nc' }),
      ...(pids.length === 0 ? [] : [fc.constantFrom(...pids).map((pid): PortHolder => ({ port, pids: [pid], pgids: [pid], command: 'node' }))]),
    );
  return fc.tuple(...ports.map(holderArb)).map((holders) => ({
    ...NO_FACTS,
    listeners: new Map(holders.filter((h): h is PortHolder => h !== undefined).map((h) => [h.port, h])),
  }));
};

const scenario = desiredArb.chain((want) =>
  actualArb(want).chain((have) => {
    const ports = [...new Set(want.apps.flatMap((s) => instancePorts(s, 0, s.instances)))].sort((a, b) => a - b);
    return factsArb(ports, have).map((facts) => ({ want, have, facts }));
  }),
);

const succeeding = (have: ActualState): SupervisorApi => {
  const done = () => Promise.resolve({ ok: true as const });
  return {
    apps: () => have.apps,
    app: (name) => have.apps.find((v) => v.spec.name === name),
    create: done,
    scale: done,
    restart: done,
    reload: done,
    update: () => {},
    start: done,
    stop: done,
    remove: done,
    shutdown: () => Promise.resolve(),
  };
};

describe('the plan carries every refusal apply makes', () => {
  it('no refusal in the plan: apply refuses nothing; a refusal: apply fails that app with the same words', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ want, have, facts }) => {
        const plan = planActions(want, have, facts);
        const taken = nameTakenMessage(want.file, plan.refusals);
        expect(taken === undefined).toBe(plan.refusals.every((r) => r.kind !== 'name-taken'));
        if (taken !== undefined) return; // the daemon refuses the whole file with this message
        const results = await executePlan(plan, succeeding(have));
        const refused = new Map(plan.refusals.map((r) => [r.app, r.message]));
        for (const r of results) {
          if (refused.has(r.app)) expect(r).toMatchObject({ ok: false, reason: refused.get(r.app) });
          // Only a refusal, or a dependency that was refused, fails when the supervisor succeeds.
          else if (!r.ok) expect(r.reason).toMatch(/^not started: dependency /);
        }
        if (plan.refusals.length === 0) expect(results.every((r) => r.ok)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('a port held by a foreign process is always refused before acting (by an oracle of its own)', () => {
    fc.assert(
      fc.property(scenario, ({ want, have, facts }) => {
        const plan = planActions(want, have, facts);
        const refused = new Set(plan.refusals.map((r) => r.app));
        for (const a of plan.actions) {
          if (a.type !== 'create') continue;
          const foreign = instancePorts(a.spec, 0, a.spec.instances).filter((p) => facts.listeners.get(p)?.pids[0] === FOREIGN + p);
          if (foreign.length > 0) expect(refused.has(a.app)).toBe(true);
        }
        for (const s of want.apps) {
          const owner = have.apps.find((v) => v.spec.name === s.name)?.spec.project;
          if (owner !== undefined && owner !== want.project) expect(refused.has(s.name)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
