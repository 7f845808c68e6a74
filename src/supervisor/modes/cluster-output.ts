// Worker output on its way from the cluster primary to the daemon, with backpressure. A worker's
// stdout or stderr is paused while too many of its app's bytes are in flight on the IPC channel,
// or while the daemon says its log for that stream is behind: the pipe fills and the worker
// blocks on write, as in fork mode (backpressure, not loss). A source only ever pauses and
// resumes, so no chunk is dropped or reordered. Bytes in flight are counted per group (an app: one
// primary serves several), so one app's flood holds back that app's workers, not the others'.
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
  readonly group: Group;
  heldByDaemon: boolean;
}

/** The bytes of one group's sources on the channel, and whether they passed the limit. */
interface Group {
  inFlight: number;
  full: boolean;
}

const STREAMS: readonly OutputStream[] = ['out', 'err'];
const keyOf = (id: WorkerId, stream: OutputStream): string => `${id}:${stream}`;

export class OutputFlow {
  /**
   * Counted here from send callbacks, not read from process.send's return value: that one flags
   * a fixed backlog but says nothing when it clears, and the callbacks do.
   */
  private readonly groups = new Map<string, Group>();
  private released = false;
  private readonly sources = new Map<string, Source>();

  constructor(
    private readonly send: SendWithCallback,
    private readonly limits: FlowLimits = DEFAULT_FLOW_LIMITS,
  ) {}

  /** Forwards a worker's stdout or stderr until it closes; `group` shares its in-flight limit. */
  attach(id: WorkerId, stream: OutputStream, readable: Readable, groupName = ''): void {
    const key = keyOf(id, stream);
    let group = this.groups.get(groupName);
    if (group === undefined) this.groups.set(groupName, (group = { inFlight: 0, full: false }));
    const source: Source = { readable, group, heldByDaemon: false };
    this.sources.set(key, source);
    readable.on('data', (data: Buffer) => this.forward(id, stream, group, data));
    readable.once('close', () => {
      this.sources.delete(key);
      if (group.inFlight === 0 && ![...this.sources.values()].some((s) => s.group === group)) this.groups.delete(groupName);
    });
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

  private forward(id: WorkerId, stream: OutputStream, group: Group, data: Buffer): void {
    group.inFlight += data.byteLength;
    this.send({ type: 'output', id, stream, data }, () => {
      group.inFlight -= data.byteLength;
      if (group.full && group.inFlight <= this.limits.low) this.setFull(group, false);
    });
    if (!group.full && group.inFlight > this.limits.high) this.setFull(group, true);
  }

  private setFull(group: Group, full: boolean): void {
    group.full = full;
    for (const source of this.sources.values()) if (source.group === group) this.apply(source);
  }

  private paused(source: Source): boolean {
    return !this.released && (source.group.full || source.heldByDaemon);
  }

  private apply(source: Source): void {
    if (this.paused(source)) source.readable.pause();
    else source.readable.resume();
  }
}
