// Who a bus message is for, in words the sender can act on. Pure: the bus server (bus.ts) asks it
// with the supervisor's apps and its own connections.
import type { BusErrorCode } from '../worker/wire.js';

/** What the bus needs to know of an app (from the supervisor's view). */
export interface BusApp {
  readonly project: string;
  readonly name: string;
  readonly agent: boolean;
  readonly instances: readonly { readonly index: number; readonly state: string }[];
}

/** Who is speaking on a connection: what the daemon issued its token for. */
export interface BusIdentity {
  readonly project: string;
  readonly app: string;
  readonly instance: number;
}

/** One receiver as `status` reports it (per instance; it survives the instance's reconnects). */
export interface BusReceiverStats {
  readonly project: string;
  readonly app: string;
  readonly instance: number;
  /** Open connections of the instance (0 after it exited). */
  readonly connections: number;
  readonly delivered: number;
  /** Messages not handed to it because its queue in the daemon was full. */
  readonly dropped: number;
  /** Bytes waiting in the daemon for it now. */
  readonly queuedBytes: number;
}

export interface BusStats {
  /** The unix socket instances find in ORCH_BUS. */
  readonly socket: string;
  readonly receivers: readonly BusReceiverStats[];
}

export type Target =
  | { readonly ok: true; readonly app: string; readonly instance: number | undefined }
  | { readonly ok: false; readonly code: BusErrorCode; readonly message: string };

const INSTANCE = /^(.+)#(\d+)$/;

/**
 * `agent`, `app` or `app#N` within the sender's project. An app of another project is as unknown
 * as a missing one: a project learns nothing of another through the bus.
 */
export const resolveTarget = (to: string, project: string, apps: readonly BusApp[]): Target => {
  const own = apps.filter((a) => a.project === project);
  if (to === 'agent') {
    const agent = own.find((a) => a.agent);
    return agent === undefined
      ? { ok: false, code: 'ORCH_BUS_UNKNOWN_TARGET', message: `project '${project}' has no agent (an app with role: agent)` }
      : { ok: true, app: agent.name, instance: 0 };
  }
  const m = INSTANCE.exec(to);
  const name = m === null ? to : m[1]!;
  if (!own.some((a) => a.name === name)) {
    return { ok: false, code: 'ORCH_BUS_UNKNOWN_TARGET', message: `no app '${name}' in project '${project}'` };
  }
  return { ok: true, app: name, instance: m === null ? undefined : Number(m[2]) };
};

/** Why a known target has no connection to hand the message to. */
export const notRunningMessage = (app: BusApp | undefined, name: string, instance: number | undefined): string => {
  const label = instance === undefined ? name : `${name}#${instance}`;
  if (instance === undefined) {
    const running = app?.instances.some((i) => i.state !== 'stopped' && i.state !== 'errored') ?? false;
    return running ? `no instance of ${label} is connected to the bus (none has called on() or send())` : `${label} is not running`;
  }
  const view = app?.instances.find((i) => i.index === instance);
  if (view === undefined) return `${label} is not running (${name} has ${app?.instances.length ?? 0} instance${app?.instances.length === 1 ? '' : 's'})`;
  if (view.state === 'stopped' || view.state === 'errored' || view.state === 'backoff') return `${label} is not running (${view.state})`;
  return `${label} is not connected to the bus (${view.state}; it has not called on() or send())`;
};

/** The bus's view of an app the supervisor runs. */
export const busAppOf = (view: { readonly spec: { readonly project: string; readonly name: string; readonly role?: string }; readonly instances: BusApp['instances'] }): BusApp => ({
  project: view.spec.project,
  name: view.spec.name,
  agent: view.spec.role === 'agent',
  instances: view.instances,
});
