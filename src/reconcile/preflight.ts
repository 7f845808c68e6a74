// The pre-flight's pure half: every refusal apply would make for a reason known before it acts
// (SPEC §9), from the plan's actions and what was read from the host. `diff` shows these and
// exits 2; apply refuses with the very same messages, so the two cannot disagree. Ports are
// held per protocol: a TCP listener and a UDP socket on one number never stand in each other's way.
import type { DesiredState, Protocol } from '../config/desired.js';
import { instancePorts, protocolOf } from '../config/modes.js';
import { compareNames } from './fields.js';
import type { Action, HostFacts, PortHolder, Refusal } from './types.js';
import type { ActualState, AppView } from '../supervisor/view.js';
import { describeHolder, portLabel } from '../ports.js';

/** The ports an action needs free (or held by the app itself) before it starts anything. */
const portsNeeded = (a: Action): number[] => {
  switch (a.type) {
    case 'create':
    case 'start':
    case 'restart':
    case 'reload':
      return instancePorts(a.spec, 0, a.spec.instances);
    case 'scale':
      return instancePorts(a.spec, a.from, a.to);
    case 'delete':
    case 'update':
      return [];
  }
};

/** `'web' (project 'demo')`: how another project's app is named in a refusal. */
const appLabel = (view: AppView): string => `app '${view.spec.name}' of project '${view.spec.project}'`;


/** Whether `view`'s processes hold the listener: its instances' groups, or the daemon for a socket-mode port. */
const holds = (view: AppView, holder: PortHolder, facts: HostFacts, protocol: Protocol): boolean => {
  const groups = new Set(view.instances.flatMap((i) => (i.pid === undefined ? [] : [facts.groups.get(i.pid) ?? i.pid])));
  if (holder.pgids.some((g) => groups.has(g)) || holder.pids.some((p) => groups.has(p))) return true;
  const daemonHolds = facts.daemonPid !== undefined && holder.pids.includes(facts.daemonPid);
  return daemonHolds && view.spec.mode === 'socket' && view.spec.port === holder.port && protocolOf(view.spec) === protocol;
};

const declares = (view: AppView, port: number, protocol: Protocol): boolean =>
  !view.stopped && protocolOf(view.spec) === protocol && instancePorts(view.spec, 0, view.spec.instances).includes(port);

/**
 * Why the port cannot be had, or undefined when it can: free, held by the app itself, by an app
 * this plan deletes first, or by another app of the same project (the file, free of clashes, moves it).
 */
const portProblem = (
  port: number,
  protocol: Protocol,
  project: string,
  others: readonly AppView[],
  self: AppView | undefined,
  freed: readonly AppView[],
  facts: HostFacts,
): string | undefined => {
  const holder = (protocol === 'udp' ? facts.udpListeners : facts.listeners)?.get(port);
  const name = portLabel(port, protocol);
  // Another project's app that declares the port takes it back at its next restart, held or not.
  const claimant = others.find(
    (v) => v.spec.project !== project && (declares(v, port, protocol) || (holder !== undefined && holds(v, holder, facts, protocol))),
  );
  if (claimant !== undefined) return `port ${name} is held by ${appLabel(claimant)}`;
  if (holder === undefined) return undefined;
  if ([...(self === undefined ? [] : [self]), ...others, ...freed].some((v) => holds(v, holder, facts, protocol))) return undefined;
  return describeHolder(holder.protocol === undefined && protocol === 'udp' ? { ...holder, protocol } : holder);
};

/** Every refusal of the plan, sorted by app (one per app: the first reason found). */
export const planRefusals = (
  desired: DesiredState,
  actual: ActualState,
  actions: readonly Action[],
  facts: HostFacts,
): Refusal[] => {
  const refusals = new Map<string, Refusal>();
  const add = (r: Refusal) => {
    if (!refusals.has(r.app)) refusals.set(r.app, r);
  };
  const byName = new Map(actual.apps.map((v) => [v.spec.name, v] as const));

  // App names are the daemon's keys: one project cannot take over another's app.
  for (const spec of desired.apps) {
    const owner = byName.get(spec.name)?.spec.project;
    if (owner !== undefined && owner !== desired.project) {
      add({ app: spec.name, kind: 'name-taken', message: `app name '${spec.name}' is already used by project '${owner}' in this ORCH_HOME` });
    }
  }

  const deleted = new Set(actions.filter((a) => a.type === 'delete').map((a) => a.app));
  for (const action of actions) {
    if (action.type === 'delete' || action.type === 'update') continue;
    const missing = facts.missing.get(action.app);
    if (missing !== undefined) add({ app: action.app, kind: 'missing-path', message: missing });
    const self = byName.get(action.app);
    // Apps of this project that this apply keeps may move ports among themselves (the file has no clash).
    const others = actual.apps.filter((v) => v.spec.name !== action.app && !deleted.has(v.spec.name));
    const freed = actual.apps.filter((v) => deleted.has(v.spec.name));
    const mine = self?.spec.project === desired.project ? self : undefined;
    for (const port of portsNeeded(action)) {
      const problem = portProblem(port, protocolOf(action.spec), desired.project, others, mine, freed, facts);
      if (problem !== undefined) {
        add({ app: action.app, kind: 'port-in-use', message: problem });
        break;
      }
    }
  }
  return [...refusals.values()].sort((a, b) => compareNames(a.app, b.app));
};

/** The one message of an apply refused as a whole because names are taken (exit 2, nothing changed). */
export const nameTakenMessage = (file: string, refusals: readonly Refusal[]): string | undefined => {
  const taken = refusals.filter((r) => r.kind === 'name-taken');
  if (taken.length === 0) return undefined;
  return `${file}: ${taken.map((r) => r.message).join('; ')}; nothing was changed.`;
};
