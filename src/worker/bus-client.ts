// The Node side of orch's message bus (frames in wire.ts): one connection to ORCH_BUS per
// process, opened on first use, hello first, subscriptions replayed after a reconnect. Frames go
// out in call order on that one connection, which is what keeps a sender's messages in order.
import { createConnection, type Socket } from 'node:net';
import { BUS_MAX_DATA_BYTES, BUS_MAX_TOPIC_LENGTH, type BusClientFrame, type BusErrorCode, type BusServerFrame } from './wire.js';

/** A rejected send/broadcast: `code` is stable (see wire.ts BusErrorCode). */
export class BusError extends Error {
  readonly code: BusErrorCode;
  constructor(code: BusErrorCode, message: string) {
    super(message);
    this.name = 'BusError';
    this.code = code;
  }
}

export interface Delivery {
  /** How many instances (connections) the message was handed to. */
  readonly delivered: number;
  /** How many targets were skipped because their queue in the daemon was full (they are slow). */
  readonly dropped: number;
}

export interface Incoming {
  /** The sender, `app#N`. */
  readonly from: string;
  readonly topic: string;
}

export type Handler = (data: unknown, message: Incoming) => void;

interface Pending {
  readonly resolve: (d: Delivery) => void;
  readonly reject: (e: BusError) => void;
}

/** After the connection closed while handlers listen: try again this often (the daemon restarts). */
const RECONNECT_MS = 1000;

export class BusClient {
  private socket: Socket | undefined;
  private nextId = 1;
  private partial = '';
  private refused = false;
  private reconnect: NodeJS.Timeout | undefined;
  private readonly pending = new Map<number, Pending>();
  private readonly handlers = new Map<string, Set<Handler>>();

  constructor(
    private readonly path: string | undefined,
    private readonly token: string | undefined,
  ) {}

  send(to: string, topic: string, data: unknown): Promise<Delivery> {
    if (typeof to !== 'string' || to === '') return Promise.reject(new BusError('ORCH_BUS_BAD_FRAME', 'the target must be `app`, `app#N` or `agent`'));
    return this.message(`"type":"send","to":${JSON.stringify(to)}`, topic, data);
  }

  broadcast(topic: string, data: unknown): Promise<Delivery> {
    return this.message('"type":"broadcast"', topic, data);
  }

  on(topic: string, handler: Handler): () => void {
    if (!validTopic(topic)) throw new BusError('ORCH_BUS_BAD_FRAME', `a topic is a string of 1 to ${BUS_MAX_TOPIC_LENGTH} characters`);
    let set = this.handlers.get(topic);
    if (set === undefined) {
      set = new Set();
      this.handlers.set(topic, set);
      const socket = this.connection();
      if (socket !== undefined) this.write(socket, { type: 'subscribe', topic });
    }
    set.add(handler);
    this.updateRef();
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      const current = this.handlers.get(topic);
      current?.delete(handler);
      if (current !== undefined && current.size === 0) {
        this.handlers.delete(topic);
        if (this.socket !== undefined && !this.socket.destroyed) this.write(this.socket, { type: 'unsubscribe', topic });
      }
      this.updateRef();
    };
  }

  /** Resolves once the bus has handled every frame sent so far (so every `on` is in place there). */
  synced(): Promise<void> {
    return this.request((id) => JSON.stringify({ type: 'ping', id })).then(() => undefined);
  }

  private message(head: string, topic: string, data: unknown): Promise<Delivery> {
    if (!validTopic(topic)) return Promise.reject(new BusError('ORCH_BUS_BAD_FRAME', `a topic is a string of 1 to ${BUS_MAX_TOPIC_LENGTH} characters`));
    let json: string;
    try {
      json = JSON.stringify(data) ?? 'null';
    } catch (err) {
      return Promise.reject(new BusError('ORCH_BUS_BAD_FRAME', `data is not JSON-serializable: ${(err as Error).message}`));
    }
    const bytes = Buffer.byteLength(json);
    if (bytes > BUS_MAX_DATA_BYTES) {
      return Promise.reject(new BusError('ORCH_BUS_TOO_LARGE', `message data is ${bytes} bytes as JSON; the bound is ${BUS_MAX_DATA_BYTES}`));
    }
    // The data is serialized once, here: the frame is assembled around it.
    return this.request((id) => `{${head},"id":${id},"topic":${JSON.stringify(topic)},"data":${json}}`);
  }

  private request(line: (id: number) => string): Promise<Delivery> {
    const socket = this.connection();
    if (socket === undefined) return Promise.reject(this.unavailable());
    const id = this.nextId++;
    return new Promise<Delivery>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.updateRef();
      socket.write(`${line(id)}\n`);
    });
  }

  private unavailable(): BusError {
    if (this.refused) return new BusError('ORCH_BUS_UNAUTHORIZED', 'the bus refused this process (ORCH_BUS_TOKEN not accepted)');
    return new BusError('ORCH_BUS_UNAVAILABLE', this.path === undefined || this.token === undefined ? 'not started by orch: ORCH_BUS is not set' : 'the bus connection is closed');
  }

  private connection(): Socket | undefined {
    if (this.socket !== undefined && !this.socket.destroyed) return this.socket;
    if (this.path === undefined || this.token === undefined || this.refused) return undefined;
    const socket = createConnection(this.path);
    this.socket = socket;
    this.partial = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => this.onClose(socket));
    // Written before the connection is up: net.Socket queues them, in order.
    this.write(socket, { type: 'hello', token: this.token });
    for (const topic of this.handlers.keys()) this.write(socket, { type: 'subscribe', topic });
    this.updateRef();
    return socket;
  }

  private write(socket: Socket, frame: BusClientFrame): void {
    socket.write(`${JSON.stringify(frame)}\n`);
  }

  private onData(chunk: string): void {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '') continue;
      let frame: BusServerFrame;
      try {
        frame = JSON.parse(line) as BusServerFrame;
      } catch {
        continue;
      }
      this.onFrame(frame);
    }
  }

  private onFrame(frame: BusServerFrame): void {
    switch (frame.type) {
      case 'ack':
        this.settle(frame.id)?.resolve({ delivered: frame.delivered, dropped: frame.dropped });
        return;
      case 'error':
        if (frame.code === 'ORCH_BUS_UNAUTHORIZED') this.refused = true;
        if (frame.id !== null) this.settle(frame.id)?.reject(new BusError(frame.code, frame.message));
        return;
      case 'deliver':
        for (const handler of [...(this.handlers.get(frame.topic) ?? [])]) {
          try {
            handler(frame.data, { from: frame.from, topic: frame.topic });
          } catch (err) {
            process.stderr.write(`orch/worker: handler of '${frame.topic}' failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
          }
        }
        return;
      default:
        return;
    }
  }

  private settle(id: number): Pending | undefined {
    const p = this.pending.get(id);
    this.pending.delete(id);
    this.updateRef();
    return p;
  }

  private onClose(socket: Socket): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    const error = this.unavailable();
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
    if (this.handlers.size > 0 && !this.refused && this.reconnect === undefined) {
      this.reconnect = setTimeout(() => {
        this.reconnect = undefined;
        if (this.handlers.size > 0) this.connection();
      }, RECONNECT_MS);
      this.reconnect.unref();
    }
  }

  /** The connection keeps the process alive only while someone listens or waits for an answer. */
  private updateRef(): void {
    if (this.socket === undefined) return;
    if (this.handlers.size > 0 || this.pending.size > 0) this.socket.ref();
    else this.socket.unref();
  }
}

const validTopic = (topic: unknown): topic is string => typeof topic === 'string' && topic.length > 0 && topic.length <= BUS_MAX_TOPIC_LENGTH;
