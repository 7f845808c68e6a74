// SPEC §9: `interrupts` is exact for every action × mode — an action interrupts service if, at
// any moment while it runs, the app has no ready instance on its port or a new connection could
// be refused. One table over the plan's actions, read through the renderer's own function.
import { describe, expect, it } from 'vitest';
import type { AppSpec } from '../../../src/config/desired.js';
import { interruptsService, type Action } from '../../../src/reconcile/types.js';
import { spec } from './builders.js';

type Shape = 'fork' | 'fork+port' | 'cluster+port' | 'socket+port' | 'cluster';
const shapes: Record<Shape, Partial<AppSpec>> = {
  fork: { mode: 'fork', port: undefined },
  'fork+port': { mode: 'fork', port: 3000 },
  'cluster+port': { mode: 'cluster', port: 3000 },
  'socket+port': { mode: 'socket', port: 3000 },
  cluster: { mode: 'cluster', port: undefined },
};

const s = (shape: Shape, instances = 2, reload?: Partial<AppSpec['reload']>): AppSpec =>
  spec({ name: 'web', instances, ...shapes[shape], ...(reload === undefined ? {} : { reload }) });

const actions: Record<string, (shape: Shape) => Action> = {
  create: (sh) => ({ type: 'create', app: 'web', spec: s(sh) }),
  update: (sh) => ({ type: 'update', app: 'web', spec: s(sh), changes: [] }),
  'start (drift)': (sh) => ({ type: 'start', app: 'web', spec: s(sh), reason: 'stopped' }),
  'delete 2 serving': () => ({ type: 'delete', app: 'web', instances: 2, running: 2, after: [] }),
  'delete, nothing serving': () => ({ type: 'delete', app: 'web', instances: 2, running: 0, after: [] }),
  'restart 2 serving': (sh) => ({ type: 'restart', app: 'web', spec: s(sh), changes: [], instances: 2, running: 2 }),
  'scale 2 → 4': (sh) => ({ type: 'scale', app: 'web', spec: s(sh, 4), from: 2, to: 4 }),
  'scale 4 → 2': (sh) => ({ type: 'scale', app: 'web', spec: s(sh), from: 4, to: 2 }),
  'scale 2 → 0': (sh) => ({ type: 'scale', app: 'web', spec: s(sh, 0), from: 2, to: 0 }),
  'reload 2, surge 1': (sh) => ({ type: 'reload', app: 'web', spec: s(sh), changes: [], instances: 2, running: 2 }),
  'reload 2, unavailable 2': (sh) => ({
    type: 'reload',
    app: 'web',
    spec: s(sh, 2, { maxSurge: 0, maxUnavailable: 2 }),
    changes: [],
    instances: 2,
    running: 2,
  }),
  'reload 2, unavailable 1, surge 1': (sh) => ({
    type: 'reload',
    app: 'web',
    spec: s(sh, 2, { maxSurge: 1, maxUnavailable: 1 }),
    changes: [],
    instances: 2,
    running: 2,
  }),
  'reload 1, unavailable 1': (sh) => ({
    type: 'reload',
    app: 'web',
    spec: s(sh, 1, { maxSurge: 0, maxUnavailable: 1 }),
    changes: [],
    instances: 1,
    running: 1,
  }),
  'reload 2 → 0': (sh) => ({ type: 'reload', app: 'web', spec: s(sh, 0), changes: [], instances: 0, running: 2 }),
};

//                                  fork   fork+port cluster+port socket+port cluster
const expected: Record<string, [boolean, boolean, boolean, boolean, boolean]> = {
  create: [false, false, false, false, false],
  update: [false, false, false, false, false],
  'start (drift)': [false, false, false, false, false],
  'delete 2 serving': [true, true, true, true, true],
  'delete, nothing serving': [false, false, false, false, false],
  'restart 2 serving': [true, true, true, true, true],
  'scale 2 → 4': [false, false, false, false, false],
  // fork instances own ports port+i: the dropped ones stop answering; shared ports keep serving.
  'scale 4 → 2': [false, true, false, false, false],
  'scale 2 → 0': [true, true, true, true, true],
  // fork mode without a port can overlap like the shared modes; with a port it cannot.
  'reload 2, surge 1': [false, true, false, false, false],
  'reload 2, unavailable 2': [true, true, true, true, true],
  'reload 2, unavailable 1, surge 1': [false, true, false, false, false],
  'reload 1, unavailable 1': [true, true, true, true, true],
  'reload 2 → 0': [true, true, true, true, true],
};

const order: Shape[] = ['fork', 'fork+port', 'cluster+port', 'socket+port', 'cluster'];

describe('interrupts: every action × mode', () => {
  const rows = Object.entries(actions).flatMap(([name, make]) =>
    order.map((shape, k) => [name, shape, make(shape), expected[name]![k]!] as const),
  );
  it.each(rows)('%s in %s', (_name, _shape, action, interrupts) => {
    expect(interruptsService(action)).toBe(interrupts);
  });
});
