// `role: agent` (SPEC §14): the implicit edges (pure, a table) and the checks (with positions).
import { describe, expect, it } from 'vitest';
import { implicitAgentEdges } from '../../../src/config/agent-role.js';
import { appOf, errorsOf } from './helpers.js';

type Row = { name: string; role?: 'agent'; dependsOn: string[] };
const app = (name: string, dependsOn: string[] = [], role?: 'agent'): Row => ({ name, dependsOn, ...(role ? { role } : {}) });
const edges = (apps: Row[]): Record<string, readonly string[]> => Object.fromEntries(implicitAgentEdges(apps));

describe('implicitAgentEdges', () => {
  it.each<[string, Row[], Record<string, string[]>]>([
    ['no agent: nothing changes', [app('a'), app('b', ['a'])], { a: [], b: ['a'] }],
    ['every other app waits for the agent', [app('ag', [], 'agent'), app('a'), app('b', ['a'])], { ag: [], a: ['ag'], b: ['a', 'ag'] }],
    ['an explicit edge to the agent is not doubled', [app('ag', [], 'agent'), app('a', ['ag'])], { ag: [], a: ['ag'] }],
    [
      'what the agent depends on (directly or not) starts before it: no edge back',
      [app('ag', ['redis'], 'agent'), app('redis', ['disk']), app('disk'), app('web')],
      { ag: ['redis'], redis: ['disk'], disk: [], web: ['ag'] },
    ],
    ['two agents (refused by the checks): nothing changes', [app('x', [], 'agent'), app('y', [], 'agent'), app('a')], { x: [], y: [], a: [] }],
    ['a lone agent', [app('ag', [], 'agent')], { ag: [] }],
  ])('%s', (_name, apps, expected) => {
    expect(edges(apps)).toEqual(expected);
  });
});

const file = (apps: string): string => `version: 1\napps:\n${apps}`;

describe('role: agent in a file', () => {
  it('the other apps of the file depend on the agent; the agent on nothing new', async () => {
    const yaml = file('  ag:\n    run: x\n    role: agent\n  web:\n    run: y\n    depends_on: [db]\n  db:\n    run: z\n');
    expect((await appOf(yaml, 'web')).app.dependsOn).toEqual(['db', 'ag']);
    expect((await appOf(yaml, 'db')).app.dependsOn).toEqual(['ag']);
    expect((await appOf(yaml, 'ag')).app.dependsOn).toEqual([]);
    expect((await appOf(yaml, 'ag')).app.role).toBe('agent');
    expect((await appOf(yaml, 'web')).app.role).toBeUndefined();
  });

  it.each([
    [
      'two agents: reported on the second',
      '  a:\n    run: x\n    role: agent\n  b:\n    run: y\n    role: agent\n',
      ["ecosystem.yaml:8:11: apps.b.role: a project has at most one agent; 'a' already has role: agent"],
    ],
    ['an agent with 2 instances', '  a:\n    run: x\n    role: agent\n    instances: 2\n', ['ecosystem.yaml:6:16: apps.a.instances: an app with role: agent runs exactly one instance, got 2']],
    ['an agent with 0 instances', '  a:\n    run: x\n    role: agent\n    instances: 0\n', ['ecosystem.yaml:6:16: apps.a.instances: an app with role: agent runs exactly one instance, got 0']],
    ['an agent with instances: max (2 CPUs)', '  a:\n    run: x\n    role: agent\n    instances: max\n', ['ecosystem.yaml:6:16: apps.a.instances: an app with role: agent runs exactly one instance, got 2']],
    ['an agent with instances: 1', '  a:\n    run: x\n    role: agent\n    instances: 1\n', []],
    ['an agent that depends on another app: no cycle', '  a:\n    run: x\n    role: agent\n    depends_on: [b]\n  b:\n    run: y\n', []],
  ])('%s', async (_name, apps, expected) => {
    expect(await errorsOf(file(apps))).toEqual(expected);
  });

  it('an unknown role is refused by the schema', async () => {
    const errors = await errorsOf(file('  a:\n    run: x\n    role: worker\n'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^ecosystem\.yaml:5:11: apps\.a\.role: /);
  });
});

describe('the plan of a file with an agent', () => {
  it('creates the agent before every other app (apply waits for it to be ready), and deletes it after them', async () => {
    const { planActions } = await import('../../../src/reconcile/plan.js');
    const { loadYaml } = await import('./helpers.js');
    const loaded = await loadYaml(file('  web:\n    run: x\n  zz-agent:\n    run: y\n    role: agent\n  api:\n    run: z\n'));
    if (!loaded.ok) throw new Error('invalid');
    const plan = planActions(loaded.desired, { apps: [] });
    expect(plan.actions.map((a) => `${a.type} ${a.app}`)).toEqual(['create zz-agent', 'create api', 'create web']);
    const running = { apps: loaded.desired.apps.map((spec) => ({ spec, stopped: false, instances: [] })) };
    const down = planActions({ ...loaded.desired, apps: [] }, running);
    expect(down.actions.map((a) => `${a.type} ${a.app}`)).toEqual(['delete api', 'delete web', 'delete zz-agent']);
  });
});
