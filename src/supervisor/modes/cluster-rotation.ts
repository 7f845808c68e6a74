// Taking one worker out of node:cluster's round-robin while it keeps its server, its connections
// and its IPC channel: the primary stops handing it new connections at the very instant it is
// retired, before the worker has heard anything (SPEC §9).
//
// node:cluster has no public call for this: `worker.disconnect()` does it, but also closes the
// worker's servers and its channel. What removes a worker from a round-robin handle is the
// worker's own `{act:'close', key}` message, sent when its server closes; the primary here plays
// that message itself. The handle's key is the one node:cluster's primary computes from the
// worker's `queryServer` message (lib/internal/cluster/primary.js).
// WARNING: this reads node:cluster's internal messages (checked on the Node in use by
// test/integration/supervisor/cluster-retire.test.ts). Should they change, a retiring worker
// still receives new connections until it closes its server, and answers them with
// `Connection: close`: slower, not broken.
import type { Worker } from 'node:cluster';

interface ClusterMessage {
  readonly cmd?: unknown;
  readonly act?: unknown;
  readonly key?: unknown;
  readonly address?: unknown;
  readonly port?: unknown;
  readonly addressType?: unknown;
  readonly fd?: unknown;
  readonly index?: unknown;
}

const held = new WeakMap<Worker, Set<string>>();

const keyOf = (m: ClusterMessage): string => `${String(m.address)}:${String(m.port)}:${String(m.addressType)}:${String(m.fd)}:${String(m.index)}`;

/** Follows the shared servers `worker` listens on, from the moment it is forked. */
export const watchRotation = (worker: Worker): void => {
  const keys = new Set<string>();
  held.set(worker, keys);
  worker.process.on('internalMessage', (message: ClusterMessage | null) => {
    if (message?.cmd !== 'NODE_CLUSTER') return;
    if (message.act === 'queryServer') keys.add(keyOf(message));
    else if (message.act === 'close' && typeof message.key === 'string') keys.delete(message.key);
  });
};

/** From now on no new connection goes to `worker`; the other workers take them all. */
export const leaveRotation = (worker: Worker): void => {
  for (const key of [...(held.get(worker) ?? [])]) worker.process.emit('internalMessage', { cmd: 'NODE_CLUSTER', act: 'close', key });
};
