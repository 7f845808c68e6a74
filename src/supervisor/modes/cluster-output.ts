// Worker output on its way from the cluster primary to the daemon, with backpressure. A worker's
// stdout or stderr is paused while too many of its app's bytes are in flight on the IPC channel,
// or while the daemon says its log for that stream is behind: the pipe fills and the worker
// blocks on write, as in fork mode (backpressure, not loss). A source only ever pauses and
// resumes, so no chunk is dropped or reordered.
import type { Readable } from 'node:stream';
import type { OutputStream, PrimaryToDaemon, WorkerId } from './cluster-protocol.js';

/** Sends one message; `done` runs once it has been handed to the channel (or could not be). */
export type SendWithCallback = (message: PrimaryToDaemon, done: () => void) => void;

/** In-flight bytes above which every source pauses, and below which they resume. */
export interface FlowLimits {
  readonly high: number;
  readonly low: number;
}

export const DEFAULT_FLOW_LIMITS: FlowLimits = { high: 1 << 20, low: 256 << 10 };

interface Source {
  readonly readable: Readable;
  heldByDaemon: boolean;
}

const STREAMS: readonly OutputStream[] = ['out', 'err'];
const keyOf = (id: WorkerId, stream: OutputStream): string => `${id}:${stream}`;

export class OutputFlow {
  /**
   * Counted here from send callbacks, not read from process.send's return value: that one flags
   * a fixed backlog but says nothing when it clears, and the callbacks do.
   */
  private inFlight = 0;
  private channelFull = false;
  private released = false;
  private readonly sources = new Map<string, Source>();

  constructor(
    private readonly send: SendWithCallback,
    private readonly limits: FlowLimits = DEFAULT_FLOW_LIMITS,
  ) {}

  /** Forwards a worker's stdout or stderr until it closes. */
  attach(id: WorkerId, stream: OutputStream, readable: Readable): void {
    const key = keyOf(id, stream);
    const source: Source = { readable, heldByDaemon: false };
    this.sources.set(key, source);
    readable.on('data', (data: Buffer) => this.forward(id, stream, data));
    readable.once('close', () => this.sources.delete(key));
    this.apply(source);
  }

  /** The daemon's word: its log for this stream is behind (paused) or has caught up. */
  hold(id: WorkerId, stream: OutputStream, paused: boolean): void {
    const source = this.sources.get(keyOf(id, stream));
    if (source === undefined) return;
    source.heldByDaemon = paused;
    this.apply(source);
  }

  /** True while output of the worker waits in a paused pipe. */
  waiting(id: WorkerId): boolean {
    return STREAMS.some((stream) => {
      const source = this.sources.get(keyOf(id, stream));
      return source !== undefined && this.paused(source);
    });
  }

  /** The daemon is gone: nobody will read the output, so no worker may block on it. */
  release(): void {
    this.released = true;
    for (const source of this.sources.values()) this.apply(source);
  }

  private forward(id: WorkerId, stream: OutputStream, data: Buffer): void {
    this.inFlight += data.byteLength;
    this.send({ type: 'output', id, stream, data }, () => {
      this.inFlight -= data.byteLength;
      if (this.channelFull && this.inFlight <= this.limits.low) this.setChannelFull(false);
    });
    if (!this.channelFull && this.inFlight > this.limits.high) this.setChannelFull(true);
  }

  private setChannelFull(full: boolean): void {
    this.channelFull = full;
    for (const source of this.sources.values()) this.apply(source);
  }

  private paused(source: Source): boolean {
    return !this.released && (this.channelFull || source.heldByDaemon);
  }

  private apply(source: Source): void {
    if (this.paused(source)) source.readable.pause();
    else source.readable.resume();
  }
}
