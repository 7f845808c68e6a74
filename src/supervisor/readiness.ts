// When a new instance counts as started. Each probe polls until it succeeds or is aborted;
// `waitForReady` bounds it by ready.timeoutMs and fails early when the process exits.
import { request } from 'node:http';
import { connect } from 'node:net';
import type { ReadySpec, ReadyType } from '../config/desired.js';
import { groupListensOn, portInUse } from '../process/port-holders.js';
import { describeExit } from './instance.js';
import type { ChildHandle } from './modes/launcher.js';

export interface ProbeContext {
  readonly child: ChildHandle;
  readonly port: number | undefined;
  readonly ready: ReadySpec;
  /** Aborted when the wait is over (success, failure, timeout or stop): the probe must return. */
  readonly signal: AbortSignal;
  /** Tells why the instance may not get ready; called only if the wait times out, to say so. */
  readonly explain: (why: () => string | undefined) => void;
}

/** Resolves when the instance is ready; rejects with a reason when it can never be. */
export type ReadinessProbe = (ctx: ProbeContext) => Promise<void>;

export type ReadyOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: string; readonly exited: boolean };

/**
 * Waits between probe attempts: 10 ms, growing by a quarter each time up to 100 ms (reached after
 * ~0.4 s). A new Node process listens some 50-150 ms after spawn: a flat 100 ms poll saw it up to
 * 100 ms late, a doubling one up to 80; this one ~25 ms, for a dozen extra connects per start.
 */
export const probeDelay = (attempt: number): number => Math.min(100, Math.round(10 * 1.25 ** attempt));
const host = '127.0.0.1';

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

const needPort = (ctx: ProbeContext): number => {
  if (ctx.port === undefined) throw new Error(`ready.type ${ctx.ready.type} needs a port`);
  return ctx.port;
};

const tryConnect = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(1000);
    const end = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => end(true));
    socket.once('error', () => end(false));
    socket.once('timeout', () => end(false));
  });

const tryGet = (port: number, path: string): Promise<boolean> =>
  new Promise((resolve) => {
    const req = request({ host, port, path, method: 'GET', timeout: 1000 }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      resolve(status >= 200 && status < 300);
    });
    req.once('error', () => resolve(false));
    req.once('timeout', () => req.destroy());
    req.end();
  });

const pollUntil = async (attempt: () => Promise<boolean>, signal: AbortSignal): Promise<void> => {
  for (let n = 0; !signal.aborted; n++) {
    if (await attempt()) return;
    await sleep(probeDelay(n), signal);
  }
};

export const tcpProbe: ReadinessProbe = async (ctx) => {
  const port = needPort(ctx);
  await pollUntil(() => tryConnect(port), ctx.signal);
};

export const httpProbe: ReadinessProbe = async (ctx) => {
  const port = needPort(ctx);
  await pollUntil(() => tryGet(port, ctx.ready.path), ctx.signal);
};

/**
 * Fork mode: an answer on the port counts only once the instance's own process group listens
 * there (a fork instance leads its group: pgid = pid). WARNING: whoever holds the port answers a
 * connect, so without this a foreign server made an instance that failed to bind `online`.
 * The /proc scan runs only after an answer, at most once per poll.
 */
const ownPortProbe =
  (attempt: (port: number, ctx: ProbeContext) => Promise<boolean>): ReadinessProbe =>
  async (ctx) => {
    const port = needPort(ctx);
    const pgid = ctx.child.pid;
    ctx.explain(() => portInUse(port, pgid));
    await pollUntil(async () => (await attempt(port, ctx)) && groupListensOn(port, pgid), ctx.signal);
  };

export const forkTcpProbe = ownPortProbe((port) => tryConnect(port));
export const forkHttpProbe = ownPortProbe((port, ctx) => tryGet(port, ctx.ready.path));

export const delayProbe: ReadinessProbe = (ctx) => sleep(ctx.ready.delayMs, ctx.signal);

export const messageProbe: ReadinessProbe = (ctx) =>
  new Promise((resolve) => {
    const off = ctx.child.onMessage((message) => {
      if (message === 'ready') done();
    });
    function done(): void {
      off();
      ctx.signal.removeEventListener('abort', done);
      resolve();
    }
    ctx.signal.addEventListener('abort', done, { once: true });
  });

/** sd_notify's READY=1 on the instance's own NOTIFY_SOCKET (see notify-socket.ts). */
export const notifyProbe: ReadinessProbe = (ctx) =>
  ctx.child.notified ?? Promise.reject(new Error('ready.type notify: this process was started without a NOTIFY_SOCKET'));

/** Fork mode's probes. `listening` is cluster's worker event: here it means the instance's port accepts. */
export const forkProbes: Readonly<Record<ReadyType, ReadinessProbe>> = {
  tcp: forkTcpProbe,
  http: forkHttpProbe,
  none: delayProbe,
  message: messageProbe,
  listening: (ctx) => (ctx.port === undefined ? delayProbe(ctx) : forkTcpProbe(ctx)),
  notify: notifyProbe,
};

const listeningEvent = (ctx: ProbeContext): Promise<void> =>
  ctx.child.listening ?? Promise.reject(new Error('this process reports no listening event'));

/**
 * Cluster mode: the port is the primary's, shared by every worker, so it answers as soon as any
 * worker listens. `tcp` and `http` therefore wait for THIS worker's `listening` event first; the
 * http answer itself may still come from another worker (a documented limitation).
 */
export const clusterProbes: Readonly<Record<ReadyType, ReadinessProbe>> = {
  listening: listeningEvent,
  message: messageProbe,
  tcp: async (ctx) => {
    await listeningEvent(ctx);
    await tcpProbe(ctx);
  },
  http: async (ctx) => {
    await listeningEvent(ctx);
    await httpProbe(ctx);
  },
  none: delayProbe,
  notify: notifyProbe,
};

/**
 * Socket mode: orch holds the listening socket, so a connect always succeeds (the kernel queues
 * it) and an http answer may come from any instance. Neither can tell that THIS process serves;
 * `tcp` waits `ready.delay` alive, `http` waits for a 2xx on the shared port AND `ready.delay`
 * alive (which at least catches a new version that crashes at start). Prefer `message`.
 */
export const socketProbes: Readonly<Record<ReadyType, ReadinessProbe>> = {
  tcp: delayProbe,
  http: async (ctx) => {
    await Promise.all([httpProbe(ctx), delayProbe(ctx)]);
  },
  none: delayProbe,
  message: messageProbe,
  listening: delayProbe,
  notify: notifyProbe,
};

const describeProbe = (ready: ReadySpec, port: number | undefined): string => {
  switch (ready.type) {
    case 'http':
      return `http GET ${host}:${port ?? '?'}${ready.path}`;
    case 'tcp':
    case 'listening':
      return `${ready.type} ${host}:${port ?? '?'}`;
    default:
      return ready.type;
  }
};

export const waitForReady = async (
  child: ChildHandle,
  ready: ReadySpec,
  port: number | undefined,
  probes: Readonly<Record<ReadyType, ReadinessProbe>>,
  cancel: AbortSignal,
): Promise<ReadyOutcome> => {
  const controller = new AbortController();
  const stopOnCancel = (): void => controller.abort();
  cancel.addEventListener('abort', stopOnCancel, { once: true });
  let timer: NodeJS.Timeout | undefined;
  let explain: (() => string | undefined) | undefined;
  const fail = (reason: string, exited: boolean): ReadyOutcome => ({ ok: false, reason, exited });
  try {
    return await Promise.race<ReadyOutcome>([
      probes[ready.type]({ child, port, ready, signal: controller.signal, explain: (why) => (explain = why) }).then(
        () => (controller.signal.aborted ? fail('stopped before ready', false) : { ok: true }),
        (e: unknown) => fail(e instanceof Error ? e.message : String(e), false),
      ),
      child.exited.then((e) => fail(`${describeExit(e.code, e.signal)} before ready`, true)),
      new Promise<ReadyOutcome>((resolve) => {
        timer = setTimeout(() => {
          const why = explain?.();
          const detail = why === undefined ? '' : `: ${why}`;
          resolve(fail(`not ready within ${ready.timeoutMs}ms (${describeProbe(ready, port)})${detail}`, false));
        }, ready.timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    cancel.removeEventListener('abort', stopOnCancel);
    controller.abort();
  }
};
