// The message bus (SPEC §14): a unix socket in ORCH_HOME that every instance of every mode
// reaches through ORCH_BUS, speaking the line-delimited JSON of src/worker/wire.ts. The token in
// ORCH_BUS_TOKEN, issued here per instance, says who speaks; routing never leaves a project.
//
// Memory is bounded whatever the apps do: a line is at most MAX_LINE_BYTES; a receiver whose
// queue here (the socket's unsent bytes) passed `queueLimitBytes` is skipped and the drop counted
// (the sender hears `dropped`); a sender that does not read its acks stops being read until it does.
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { BUS_MAX_DATA_BYTES, BUS_MAX_TOPIC_LENGTH, type BusErrorCode, type BusServerFrame } from '../worker/wire.js';
import { readBusLines } from './bus-lines.js';
import { keepSocket } from './kept-socket.js';
import { type BusApp, type BusIdentity, type BusStats, notRunningMessage, resolveTarget } from './bus-targets.js';

/** data plus the envelope (type, id, a target and a topic of at most 256 characters each). */
const MAX_LINE_BYTES = BUS_MAX_DATA_BYTES + 4096;
const DEFAULT_QUEUE_LIMIT = 1024 * 1024;
const HELLO_TIMEOUT_MS = 10_000;

export interface BusOptions {
  readonly path: string;
  readonly logger: Logger;
  /** The apps the daemon runs now (the supervisor's view). */
  readonly apps: () => readonly BusApp[];
  /** Unsent bytes a connection may hold here before messages to it are dropped. */
  readonly queueLimitBytes?: number;
}

export interface Bus {
  /** ORCH_BUS and ORCH_BUS_TOKEN for an instance: the same token for the same instance, every start. */
  envFor(project: string, app: string, instance: number): Record<string, string>;
  stats(): BusStats;
  /** Binds the socket again if its file is gone (also checked every second). */
  check(): void;
  close(): void;
}

interface Connection {
  readonly socket: Socket;
  identity: BusIdentity | undefined;
  readonly topics: Set<string>;
}

interface Counters {
  delivered: number;
  dropped: number;
}

const keyOf = (id: BusIdentity): string => `${id.project}\0${id.app}\0${id.instance}`;
const labelOf = (id: BusIdentity): string => `${id.app}#${id.instance}`;

export const startBus = async (options: BusOptions): Promise<Bus> => {
  const { path, logger } = options;
  const queueLimit = options.queueLimitBytes ?? DEFAULT_QUEUE_LIMIT;
  const tokens = new Map<string, BusIdentity>();
  const tokenOf = new Map<string, string>();
  /** Open, greeted connections by identity key. */
  const open = new Map<string, Set<Connection>>();
  const counters = new Map<string, Counters>();

  const countersOf = (id: BusIdentity): Counters => {
    const key = keyOf(id);
    let c = counters.get(key);
    if (c === undefined) counters.set(key, (c = { delivered: 0, dropped: 0 }));
    return c;
  };

  const reply = (conn: Connection, frame: BusServerFrame): void => {
    if (conn.socket.destroyed) return;
    // The sender's own queue: its acks pile up only if it does not read them. Stop reading it then.
    if (!conn.socket.write(`${JSON.stringify(frame)}\n`) && conn.socket.writableLength > queueLimit && !conn.socket.isPaused()) {
      conn.socket.pause();
      conn.socket.once('drain', () => conn.socket.resume());
    }
  };
  const fail = (conn: Connection, id: number | null, code: BusErrorCode, message: string): void => reply(conn, { type: 'error', id, code, message });

  /** Hands one delivery line to a connection, or counts it dropped when its queue is full. */
  const deliver = (to: Connection, line: string): boolean => {
    const c = countersOf(to.identity!);
    if (to.socket.destroyed || to.socket.writableLength >= queueLimit) {
      c.dropped++;
      return false;
    }
    to.socket.write(line);
    c.delivered++;
    return true;
  };

  const connectionsOf = (project: string, app: string, instance: number | undefined): Connection[] => {
    if (instance !== undefined) return [...(open.get(keyOf({ project, app, instance })) ?? [])];
    const out: Connection[] = [];
    for (const set of open.values()) for (const c of set) if (c.identity!.project === project && c.identity!.app === app) out.push(c);
    return out;
  };

  const onMessage = (conn: Connection, frame: Record<string, unknown>): void => {
    const id = frame.id;
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) return fail(conn, null, 'ORCH_BUS_BAD_FRAME', `'${String(frame.type)}' needs an integer id`);
    const topic = frame.topic;
    if (typeof topic !== 'string' || topic.length === 0 || topic.length > BUS_MAX_TOPIC_LENGTH) {
      return fail(conn, id, 'ORCH_BUS_BAD_FRAME', `a topic is a string of 1 to ${BUS_MAX_TOPIC_LENGTH} characters`);
    }
    const data = JSON.stringify(frame.data ?? null);
    if (Buffer.byteLength(data) > BUS_MAX_DATA_BYTES) return fail(conn, id, 'ORCH_BUS_TOO_LARGE', `message data over ${BUS_MAX_DATA_BYTES} bytes as JSON`);
    const me = conn.identity!;
    const line = `{"type":"deliver","from":${JSON.stringify(labelOf(me))},"topic":${JSON.stringify(topic)},"data":${data}}\n`;
    let delivered = 0;
    let dropped = 0;
    const offer = (to: Connection): void => {
      if (!to.topics.has(topic)) return;
      if (deliver(to, line)) delivered++;
      else dropped++;
    };
    if (frame.type === 'broadcast') {
      for (const [key, set] of open) {
        if (key === keyOf(me)) continue;
        for (const to of set) if (to.identity!.project === me.project) offer(to);
      }
      return reply(conn, { type: 'ack', id, delivered, dropped });
    }
    if (typeof frame.to !== 'string') return fail(conn, id, 'ORCH_BUS_BAD_FRAME', "'send' needs 'to': app, app#N or agent");
    const apps = options.apps();
    const target = resolveTarget(frame.to, me.project, apps);
    if (!target.ok) return fail(conn, id, target.code, target.message);
    const targets = connectionsOf(me.project, target.app, target.instance);
    if (targets.length === 0) {
      const app = apps.find((a) => a.project === me.project && a.name === target.app);
      return fail(conn, id, 'ORCH_BUS_NOT_RUNNING', notRunningMessage(app, target.app, target.instance));
    }
    for (const to of targets) offer(to);
    if (delivered === 0 && dropped > 0) {
      return fail(conn, id, 'ORCH_BUS_DROPPED', `${frame.to} is too slow: its queue in orch is full (${queueLimit} bytes); message dropped`);
    }
    reply(conn, { type: 'ack', id, delivered, dropped });
  };

  const onFrame = (conn: Connection, text: string): void => {
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      return fail(conn, null, 'ORCH_BUS_BAD_FRAME', 'a frame is one JSON object per line');
    }
    if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) return fail(conn, null, 'ORCH_BUS_BAD_FRAME', 'a frame is one JSON object per line');
    const f = frame as Record<string, unknown>;
    if (conn.identity === undefined) return greet(conn, f);
    const id = typeof f.id === 'number' ? f.id : null;
    switch (f.type) {
      case 'send':
      case 'broadcast':
        return onMessage(conn, f);
      case 'subscribe':
      case 'unsubscribe':
        if (typeof f.topic !== 'string' || f.topic === '') return fail(conn, id, 'ORCH_BUS_BAD_FRAME', `'${f.type}' needs a topic`);
        if (f.type === 'subscribe') conn.topics.add(f.topic);
        else conn.topics.delete(f.topic);
        if (id !== null) reply(conn, { type: 'ack', id, delivered: 0, dropped: 0 });
        return;
      case 'ping':
        if (id !== null) reply(conn, { type: 'ack', id, delivered: 0, dropped: 0 });
        return;
      default:
        return fail(conn, id, 'ORCH_BUS_BAD_FRAME', `unknown frame type '${String(f.type)}' (send, broadcast, subscribe, unsubscribe, ping)`);
    }
  };

  const greet = (conn: Connection, f: Record<string, unknown>): void => {
    const identity = f.type === 'hello' && typeof f.token === 'string' ? tokens.get(f.token) : undefined;
    if (identity === undefined) {
      fail(conn, null, 'ORCH_BUS_UNAUTHORIZED', "the first frame must be {\"type\":\"hello\",\"token\":<ORCH_BUS_TOKEN>} with this instance's token");
      conn.socket.end();
      return;
    }
    conn.identity = identity;
    const key = keyOf(identity);
    let set = open.get(key);
    if (set === undefined) open.set(key, (set = new Set()));
    set.add(conn);
    countersOf(identity);
    conn.socket.once('close', () => {
      set.delete(conn);
      if (set.size === 0 && open.get(key) === set) open.delete(key);
    });
    reply(conn, { type: 'welcome', ...identity });
  };

  const onConnection = (socket: Socket): void => {
    const conn: Connection = { socket, identity: undefined, topics: new Set() };
    socket.on('error', () => socket.destroy());
    const timer = setTimeout(() => conn.identity === undefined && socket.destroy(), HELLO_TIMEOUT_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
    readBusLines(socket, MAX_LINE_BYTES, {
      line: (text) => onFrame(conn, text),
      tooLarge: () => fail(conn, null, 'ORCH_BUS_TOO_LARGE', `frame line over ${MAX_LINE_BYTES} bytes; skipped`),
    });
  };

  const kept = await keepSocket(path, onConnection, logger, { name: 'bus socket' });
  return {
    envFor(project, app, instance) {
      const identity = { project, app, instance };
      const key = keyOf(identity);
      let token = tokenOf.get(key);
      if (token === undefined) {
        token = randomBytes(24).toString('base64url');
        tokenOf.set(key, token);
        tokens.set(token, identity);
      }
      return { ORCH_BUS: path, ORCH_BUS_TOKEN: token };
    },
    stats() {
      const receivers = [...counters.entries()].map(([key, c]) => {
        const [project = '', app = '', instance = '0'] = key.split('\0');
        const conns = [...(open.get(key) ?? [])];
        return {
          project,
          app,
          instance: Number(instance),
          connections: conns.length,
          delivered: c.delivered,
          dropped: c.dropped,
          queuedBytes: conns.reduce((n, x) => n + x.socket.writableLength, 0),
        };
      });
      receivers.sort((a, b) => (a.project + a.app < b.project + b.app ? -1 : a.project + a.app > b.project + b.app ? 1 : a.instance - b.instance));
      return { socket: path, receivers };
    },
    check: () => kept.check(),
    close() {
      kept.close();
      for (const set of open.values()) for (const c of set) c.socket.destroy();
    },
  };
};
