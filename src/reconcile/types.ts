// The reconciler's vocabulary: the plan — a value computed by a pure function of (desired,
// actual), rendered by `diff`, executed by `apply`. The actual state is the supervisor's
// (src/supervisor/view.ts): its producer owns it.
import type { AppSpec } from '../config/desired.js';
import { type Operation, interrupts } from '../config/modes.js';
import type { PortHolder } from '../ports.js';

/** One changed field of an app, for display. `secret` fields (env values) render without values. */
export interface FieldChange {
  /** Dotted path in the file's terms: `run`, `env.API_KEY`, `restart.backoff.max`, `instances`. */
  readonly field: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly secret?: boolean;
}

/** Why an app that the file did not change still needs action: state made by imperative commands or crashes. */
export type DriftReason = 'stopped' | 'errored' | 'rollback' | 'missing-instances';

export type Action =
  | { readonly type: 'create'; readonly app: string; readonly spec: AppSpec }
  | {
      readonly type: 'delete';
      readonly app: string;
      readonly instances: number;
      /** Instances serving now (online or kept by a rollback): what the delete takes away. */
      readonly running: number;
      /** Deleted apps of this plan that depend on this one: they are deleted first (the one delete order). */
      readonly after: readonly string[];
    }
  | {
      readonly type: 'scale';
      readonly app: string;
      readonly spec: AppSpec;
      readonly from: number;
      readonly to: number;
      /** `instances` and any in-place settings that change with it (the spec carries them). */
      readonly changes?: readonly FieldChange[];
    }
  | {
      /** New processes, old ones stopped first: interrupts service. */
      readonly type: 'restart';
      readonly app: string;
      readonly spec: AppSpec;
      readonly changes: readonly FieldChange[];
      readonly instances: number;
      /** Instances serving before the restart. */
      readonly running: number;
    }
  | {
      /** New processes started before old ones stop, behind a shared port (see modes.ts for when it still interrupts). */
      readonly type: 'reload';
      readonly app: string;
      readonly spec: AppSpec;
      readonly changes: readonly FieldChange[];
      readonly instances: number;
      /** Instances serving before the reload. */
      readonly running: number;
    }
  | {
      /** Settings the running processes do not see (restart, shutdown, ready, reload, watch...). */
      readonly type: 'update';
      readonly app: string;
      readonly spec: AppSpec;
      readonly changes: readonly FieldChange[];
    }
  | {
      /** Bring a drifted app back: start what was stopped, errored or rolled back. */
      readonly type: 'start';
      readonly app: string;
      readonly spec: AppSpec;
      readonly reason: DriftReason;
      /** In-place settings the file changed meanwhile (the spec carries them); absent when none. */
      readonly changes?: readonly FieldChange[];
    };

export type ActionType = Action['type'];

/**
 * Why apply would refuse an action, known before acting (SPEC §9): `diff` shows it and exits 2,
 * apply gives the same message. `name-taken` refuses the whole apply (nothing changes);
 * the others fail their action only (and skip its dependents).
 */
export interface Refusal {
  readonly app: string;
  readonly kind: 'name-taken' | 'port-in-use' | 'missing-path';
  readonly message: string;
}

/** Who holds a wanted port, as the pre-flight saw it: the one shape, in src/ports.ts. */
export type { PortHolder } from '../ports.js';

/** What the pre-flight read from the host before planning; the plan itself does no I/O. */
export interface HostFacts {
  /** Holders of the ports the desired apps need (ports nobody listens on are absent). */
  readonly listeners: ReadonlyMap<number, PortHolder>;
  /** The same for UDP ports (`protocol: udp` apps): holders of bound datagram sockets. Absent: none read. */
  readonly udpListeners?: ReadonlyMap<number, PortHolder>;
  /** Process group of each supervised instance's pid (fork: its own; cluster: its primary's). */
  readonly groups: ReadonlyMap<number, number>;
  /** The daemon's pid: it holds socket-mode apps' listening sockets itself. */
  readonly daemonPid: number | undefined;
  /** Paths an app needs that do not exist, by app: `script not found: …`, `cwd … is not a directory`. */
  readonly missing: ReadonlyMap<string, string>;
}

export const NO_FACTS: HostFacts = { listeners: new Map(), groups: new Map(), daemonPid: undefined, missing: new Map() };

export interface Plan {
  readonly project: string;
  /** In execution order: creates and starts follow depends_on; deletes come in reverse order. */
  readonly actions: readonly Action[];
  /** Sorted by app name; empty when apply would refuse nothing known before acting. */
  readonly refusals: readonly Refusal[];
}

/** The action in the terms of the mode traits. */
const operationOf = (a: Action): Operation => {
  switch (a.type) {
    case 'create':
    case 'update':
    case 'start':
      return { kind: a.type };
    case 'delete':
    case 'restart':
      return { kind: a.type, running: a.running };
    case 'scale':
      return { kind: 'scale', from: a.from, to: a.to };
    case 'reload':
      return { kind: 'reload', from: a.running, to: a.instances };
  }
};

/** Whether an action interrupts service (SPEC §9; the one answer is `interrupts` in config/modes.ts). */
export const interruptsService = (a: Action): boolean =>
  a.type === 'delete' ? a.running > 0 : interrupts(a.spec, operationOf(a));
