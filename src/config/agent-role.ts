// `role: agent` (SPEC §14): at most one per project, and every other app of the project depends
// on it implicitly, so that the plan and apply start it (and wait for it to be ready) first and
// stop it last. The edge is written into `dependsOn` here, once, so that every reader of the
// order (plan, apply, export) sees the same graph. Pure.
import { type Problem, problem } from './diagnostics.js';
import type { AppDraft } from './normalize.js';

interface Node {
  readonly name: string;
  readonly role?: 'agent';
  readonly dependsOn: readonly string[];
}

/**
 * Each app's dependsOn with the agent's name added, for every app but the agent and the apps the
 * agent itself waits for (directly or not: those must start before it, and an edge back would be
 * a cycle). With no agent, or more than one (refused by `checkAgents`), nothing changes.
 */
export const implicitAgentEdges = <N extends Node>(apps: readonly N[]): Map<string, readonly string[]> => {
  const out = new Map(apps.map((a) => [a.name, a.dependsOn] as const));
  const agents = apps.filter((a) => a.role === 'agent');
  if (agents.length !== 1) return out;
  const agent = agents[0]!;
  const byName = new Map(apps.map((a) => [a.name, a] as const));
  const before = new Set<string>();
  const visit = (name: string): void => {
    for (const dep of byName.get(name)?.dependsOn ?? []) {
      if (before.has(dep)) continue;
      before.add(dep);
      visit(dep);
    }
  };
  visit(agent.name);
  for (const a of apps) {
    if (a.name === agent.name || before.has(a.name) || a.dependsOn.includes(agent.name)) continue;
    out.set(a.name, [...a.dependsOn, agent.name]);
  }
  return out;
};

/** The drafts with the implicit edges of {@link implicitAgentEdges} in their specs. */
export const withAgentEdges = (drafts: readonly AppDraft[]): AppDraft[] => {
  const edges = implicitAgentEdges(drafts.filter((d) => !d.broken('depends_on')).map((d) => d.spec));
  return drafts.map((d) => {
    const dependsOn = edges.get(d.spec.name);
    return dependsOn === undefined || dependsOn === d.spec.dependsOn ? d : { ...d, spec: { ...d.spec, dependsOn } };
  });
};

/** Two agents in one file: reported on every agent after the first (in file order). */
export const checkAgents = (drafts: readonly AppDraft[]): Problem[] => {
  const agents = drafts.filter((d) => d.spec.role === 'agent');
  const first = agents[0];
  if (first === undefined) return [];
  return agents
    .slice(1)
    .map((d) => problem(d.merged.origin('role'), 'value', `a project has at most one agent; '${first.spec.name}' already has role: agent`));
};
