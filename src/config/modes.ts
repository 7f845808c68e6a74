// What each mode can do, in one place (SPEC §5, §9). The plan, the renderer, the daemon, watch
// mode and the launchers all read these traits, so "does this interrupt?" has one answer.
import type { AppSpec, Mode, Protocol } from './desired.js';

interface ModeTraits {
  /** Every instance serves one listening port (the cluster primary's, or the socket orch holds). */
  readonly sharesPort: boolean;
  /**
   * An old and a new process of one index may run side by side. False where each instance binds
   * a port of its own (fork mode with `port`): the new one could not bind until the old one left.
   */
  readonly canOverlap: (spec: Pick<AppSpec, 'port'>) => boolean;
}

const TRAITS: Readonly<Record<Mode, ModeTraits>> = {
  fork: { sharesPort: false, canOverlap: (spec) => spec.port === undefined },
  cluster: { sharesPort: true, canOverlap: () => true },
  socket: { sharesPort: true, canOverlap: () => true },
};

type PortSpec = Pick<AppSpec, 'mode' | 'port' | 'protocol'>;

/** What the app's port is: `tcp` unless the file says `protocol: udp` (and in specs that predate it). */
export const protocolOf = (spec: Pick<AppSpec, 'protocol'>): Protocol => spec.protocol ?? 'tcp';

/** Cluster and socket apps with a port hand that one port to all their instances. */
export const sharesPort = (spec: PortSpec): boolean => spec.port !== undefined && TRAITS[spec.mode].sharesPort;

/** Whether old and new processes of the app can overlap during a replacement. */
export const canOverlap = (spec: PortSpec): boolean => TRAITS[spec.mode].canOverlap(spec);

/** The port instance `index` listens on: fork mode gives instance i `port + i`, shared modes the one port. */
export const instancePort = (spec: PortSpec, index: number): number | undefined =>
  spec.port === undefined ? undefined : TRAITS[spec.mode].sharesPort ? spec.port : spec.port + index;

/** Every port the app's instances `from ≤ i < to` listen on, ascending. */
export const instancePorts = (spec: PortSpec, from: number, to: number): number[] => {
  if (spec.port === undefined || to <= from) return [];
  if (TRAITS[spec.mode].sharesPort) return [spec.port];
  return Array.from({ length: to - from }, (_, k) => spec.port! + from + k);
};

/**
 * How a change that needs new processes is carried out: a rolling `reload` only where old and new
 * processes serve behind the very same shared socket (same mode, port and protocol), else a `restart`.
 */
export const replacementOf = (before: PortSpec, after: PortSpec): 'reload' | 'restart' =>
  sharesPort(before) &&
  sharesPort(after) &&
  before.mode === after.mode &&
  before.port === after.port &&
  protocolOf(before) === protocolOf(after)
    ? 'reload'
    : 'restart';

/** What is done to an app, in the terms `interrupts` needs. */
export type Operation =
  | { readonly kind: 'create' | 'update' | 'start' }
  | { readonly kind: 'delete' | 'stop' | 'restart'; readonly running: number }
  | { readonly kind: 'scale'; readonly from: number; readonly to: number }
  /** A rolling replacement of `from` running instances by `to` new ones. */
  | { readonly kind: 'reload'; readonly from: number; readonly to: number };

/**
 * SPEC §9: an operation interrupts service if, at any moment while it runs, the app has no ready
 * instance on its port, or a new connection could be refused.
 * - create, update, start: nothing that served stops.
 * - delete, stop, restart: every running instance stops before any new one starts.
 * - scale to 0; scale down in fork mode with a port: the dropped instances' own ports close.
 * - reload: a batch stops up to `max_unavailable` old instances before their replacements are
 *   ready (the rest surge: new first); if that can be all of them, there is a gap. Fork mode
 *   cannot overlap, so its "reload" is a restart in every plan.
 */
export const interrupts = (spec: Pick<AppSpec, 'mode' | 'port' | 'reload'>, op: Operation): boolean => {
  switch (op.kind) {
    case 'create':
    case 'update':
    case 'start':
      return false;
    case 'delete':
    case 'stop':
    case 'restart':
      return op.running > 0;
    case 'scale':
      if (op.to >= op.from) return false;
      return op.to === 0 || (spec.port !== undefined && !TRAITS[spec.mode].sharesPort);
    case 'reload': {
      if (op.from === 0) return false;
      if (op.to === 0 || !canOverlap(spec)) return true;
      const kept = Math.min(op.from, op.to);
      const surge = Math.max(0, spec.reload.maxSurge);
      const unavailable = Math.max(0, spec.reload.maxUnavailable);
      // rolling.ts allows one surge when both limits are 0, so at least one of them is > 0 in effect.
      return surge + unavailable > 0 && unavailable >= kept;
    }
  }
};
