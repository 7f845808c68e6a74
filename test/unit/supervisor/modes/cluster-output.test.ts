import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FLOW_LIMITS, type FlowLimits, OutputFlow, type SendWithCallback } from '../../../../src/supervisor/modes/cluster-output.js';
import type { OutputStream, PrimaryToDaemon, WorkerId } from '../../../../src/supervisor/modes/cluster-protocol.js';

interface Sent {
  readonly message: PrimaryToDaemon;
  readonly done: () => void;
  acked: boolean;
}

/** A channel whose send callbacks run only when the test acks them. */
const fakeChannel = () => {
  const sent: Sent[] = [];
  const send: SendWithCallback = (message, done) => void sent.push({ message, done, acked: false });
  const bytes = (s: Sent): number => (s.message.type === 'output' ? s.message.data.byteLength : 0);
  return {
    send,
    /** Every forwarded chunk, in order, as `id:stream:text`. */
    chunks: (): string[] =>
      sent.map(({ message: m }) => (m.type === 'output' ? `${m.id}:${m.stream}:${Buffer.from(m.data).toString()}` : m.type)),
    /** The text forwarded for one source, concatenated. */
    textOf: (id: WorkerId, stream: OutputStream): string =>
      sent
        .map(({ message: m }) => (m.type === 'output' && m.id === id && m.stream === stream ? Buffer.from(m.data).toString() : ''))
        .join(''),
    /** Bytes sent whose callback has not run. */
    inFlight: (): number => sent.reduce((sum, s) => sum + (s.acked ? 0 : bytes(s)), 0),
    ack: (index: number): void => {
      const s = sent[index];
      if (s === undefined || s.acked) throw new Error(`no pending message #${index}`);
      s.acked = true;
      s.done();
    },
    ackOldest: (): void => {
      const s = sent.find((x) => !x.acked);
      if (s === undefined) return;
      s.acked = true;
      s.done();
    },
    ackAll: (): void => {
      for (const s of sent.filter((x) => !x.acked)) {
        s.acked = true;
        s.done();
      }
    },
  };
};

/** One turn of the event loop: lets resumed and freshly written data flow through. */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const SMALL: FlowLimits = { high: 10, low: 5 };

/** An OutputFlow with a source attached for each of `keys`, keyed `id:stream`. */
const setup = (keys: readonly (readonly [WorkerId, OutputStream])[], limits: FlowLimits = SMALL) => {
  const channel = fakeChannel();
  const flow = new OutputFlow(channel.send, limits);
  const sources = new Map<string, PassThrough>();
  for (const [id, stream] of keys) {
    const readable = new PassThrough();
    flow.attach(id, stream, readable);
    sources.set(`${id}:${stream}`, readable);
  }
  const source = (id: WorkerId, stream: OutputStream): PassThrough => {
    const s = sources.get(`${id}:${stream}`);
    if (s === undefined) throw new Error(`no source ${id}:${stream}`);
    return s;
  };
  const pausedOf = (): Record<string, boolean> => Object.fromEntries([...sources].map(([k, s]) => [k, s.isPaused()]));
  return { channel, flow, source, pausedOf, all: [...sources.values()] };
};

const FOUR = [
  [1, 'out'],
  [1, 'err'],
  [2, 'out'],
  [2, 'err'],
] as const;

describe('OutputFlow forwarding', () => {
  it('forwards each chunk in order as an output message with its id, stream and data', async () => {
    const { channel, source } = setup(FOUR);
    const writes = [
      [1, 'out', 'a1'],
      [2, 'err', 'b1'],
      [1, 'err', 'a2'],
      [1, 'out', 'a3'],
      [2, 'out', 'b2'],
    ] as const;
    for (const [id, stream, text] of writes) {
      source(id, stream).write(text);
      await flush();
    }
    expect(channel.chunks()).toEqual(writes.map(([id, stream, text]) => `${id}:${stream}:${text}`));
  });

  it('sends messages of the protocol shape, with the chunk bytes untouched', async () => {
    const sent: PrimaryToDaemon[] = [];
    const flow = new OutputFlow((message, done) => {
      sent.push(message);
      done();
    });
    const readable = new PassThrough();
    flow.attach(7, 'err', readable);
    const bytes = Buffer.from([0, 255, 10, 13, 0xe2, 0x82]);
    readable.write(bytes);
    await flush();
    expect(sent).toEqual([{ type: 'output', id: 7, stream: 'err', data: bytes }]);
  });
});

describe('OutputFlow channel backpressure', () => {
  it.each([
    { name: 'in-flight bytes exactly at high', sizes: [10], paused: false },
    { name: 'one byte above high in one chunk', sizes: [11], paused: true },
    { name: 'above high over several chunks', sizes: [4, 4, 3], paused: true },
    { name: 'below high over several chunks', sizes: [4, 4, 1], paused: false },
  ])('$name: every source paused = $paused', async ({ sizes, paused }) => {
    const { channel, source, all } = setup(FOUR);
    for (const size of sizes) {
      source(1, 'out').write('x'.repeat(size));
      await flush();
    }
    expect(channel.inFlight()).toBe(sizes.reduce((a, b) => a + b, 0));
    expect(all.map((s) => s.isPaused())).toEqual([paused, paused, paused, paused]);
  });

  // Each case fills the channel above high (10), then acks messages one by one (low is 5).
  it.each([
    { name: 'resumes when in flight falls exactly to low', sizes: [6, 5], acks: [0], pausedAfter: [false] },
    { name: 'stays paused above low, resumes at zero', sizes: [5, 6], acks: [0, 1], pausedAfter: [true, false] },
    { name: 'stays paused between low and high', sizes: [3, 4, 4], acks: [0, 1, 2], pausedAfter: [true, false, false] },
    { name: 'resumes at once when the first ack brings it to low', sizes: [2, 3, 6], acks: [2, 0, 1], pausedAfter: [false, false, false] },
    { name: 'out of order acks above low keep it paused', sizes: [6, 3, 2], acks: [2, 1, 0], pausedAfter: [true, true, false] },
  ])('$name', async ({ sizes, acks, pausedAfter }) => {
    const { channel, source, all } = setup(FOUR);
    for (const size of sizes) {
      source(2, 'err').write('x'.repeat(size));
      await flush();
    }
    expect(all.every((s) => s.isPaused())).toBe(true);
    acks.forEach((index, step) => {
      channel.ack(index);
      expect({ step, paused: all.map((s) => s.isPaused()) }).toEqual({ step, paused: Array(4).fill(pausedAfter[step]) });
    });
  });

  it('forwards nothing while paused and loses or reorders nothing across the pause', async () => {
    const { channel, source, all } = setup(FOUR);
    source(1, 'out').write('x'.repeat(11));
    await flush();
    expect(all.every((s) => s.isPaused())).toBe(true);
    const later = [
      [1, 'out', 'o1'],
      [1, 'err', 'e1'],
      [1, 'out', 'o2'],
      [2, 'out', 'p1'],
      [1, 'out', 'o3'],
    ] as const;
    for (const [id, stream, text] of later) source(id, stream).write(text);
    await flush();
    expect(channel.chunks()).toHaveLength(1);
    channel.ack(0);
    await flush();
    expect(all.some((s) => s.isPaused())).toBe(false);
    expect(channel.textOf(1, 'out')).toBe(`${'x'.repeat(11)}o1o2o3`);
    expect(channel.textOf(1, 'err')).toBe('e1');
    expect(channel.textOf(2, 'out')).toBe('p1');
    expect(channel.chunks().slice(1).filter((c) => c.startsWith('1:out:'))).toEqual(['1:out:o1', '1:out:o2', '1:out:o3']);
  });

  it('drains a burst far above high in order, paused exactly while the channel is too full', async () => {
    const { channel, source, flow } = setup([[1, 'out']]);
    const readable = source(1, 'out');
    const words = Array.from({ length: 40 }, (_, i) => `w${i}.`);
    const expected = words.join('');
    for (const word of words) readable.write(word);
    readable.end();
    // Once the last chunk is read the source ends and closes, paused or not: it is then forgotten.
    const paused = (): boolean => !readable.destroyed && readable.isPaused();
    const check = (): void => {
      const pending = channel.inFlight();
      if (pending > SMALL.high) expect(readable.isPaused(), `paused with ${pending} in flight`).toBe(true);
      if (paused()) expect(pending, 'in flight while paused').toBeGreaterThan(SMALL.low);
      expect(flow.waiting(1)).toBe(paused());
    };
    let pauses = 0;
    for (let round = 0; round < 200 && (channel.textOf(1, 'out') !== expected || channel.inFlight() > 0); round++) {
      await flush();
      check();
      if (paused()) pauses++;
      channel.ackOldest();
      check();
    }
    expect(channel.textOf(1, 'out')).toBe(expected);
    expect(channel.inFlight()).toBe(0);
    expect(pauses).toBeGreaterThan(1);
  });

  it('starts a source attached while the channel is full paused', async () => {
    const { channel, flow, source } = setup([[1, 'out']]);
    source(1, 'out').write('x'.repeat(11));
    await flush();
    const late = new PassThrough();
    flow.attach(2, 'out', late);
    late.write('late');
    await flush();
    expect(late.isPaused()).toBe(true);
    expect(channel.textOf(2, 'out')).toBe('');
    channel.ack(0);
    await flush();
    expect(late.isPaused()).toBe(false);
    expect(channel.textOf(2, 'out')).toBe('late');
  });

  it('uses DEFAULT_FLOW_LIMITS when given no limits', async () => {
    const channel = fakeChannel();
    const flow = new OutputFlow(channel.send);
    const readable = new PassThrough();
    flow.attach(1, 'out', readable);
    readable.write(Buffer.alloc(DEFAULT_FLOW_LIMITS.high));
    await flush();
    expect(readable.isPaused()).toBe(false);
    readable.write(Buffer.alloc(1));
    await flush();
    expect(readable.isPaused()).toBe(true);
    channel.ack(0);
    expect(channel.inFlight()).toBeLessThanOrEqual(DEFAULT_FLOW_LIMITS.low);
    expect(readable.isPaused()).toBe(false);
  });
});

describe('OutputFlow.hold', () => {
  it.each(FOUR.map(([id, stream]) => ({ id, stream })))('pauses only $id:$stream until released by the daemon', async ({ id, stream }) => {
    const { channel, flow, source, pausedOf } = setup(FOUR, { high: 100, low: 50 });
    const key = `${id}:${stream}`;
    flow.hold(id, stream, true);
    expect(pausedOf()).toEqual(Object.fromEntries(FOUR.map(([i, s]) => [`${i}:${s}`, `${i}:${s}` === key])));
    for (const [i, s] of FOUR) source(i, s).write(`${i}${s}`);
    await flush();
    expect(channel.chunks().sort()).toEqual(FOUR.filter(([i, s]) => `${i}:${s}` !== key).map(([i, s]) => `${i}:${s}:${i}${s}`).sort());
    flow.hold(id, stream, false);
    await flush();
    expect(Object.values(pausedOf()).some(Boolean)).toBe(false);
    expect(channel.chunks().at(-1)).toBe(`${key}:${id}${stream}`);
  });

  it('does not resume a held source while the channel is full, nor a full channel when the hold lifts', async () => {
    const { channel, flow, source } = setup([
      [1, 'out'],
      [1, 'err'],
    ]);
    flow.hold(1, 'out', true);
    source(1, 'err').write('x'.repeat(11));
    await flush();
    flow.hold(1, 'out', false);
    expect(source(1, 'out').isPaused()).toBe(true);
    flow.hold(1, 'out', true);
    channel.ack(0);
    expect(source(1, 'out').isPaused()).toBe(true);
    expect(source(1, 'err').isPaused()).toBe(false);
  });

  it('is a no-op for a source never attached', () => {
    const { flow, all } = setup([[1, 'out']]);
    flow.hold(1, 'err', true);
    flow.hold(9, 'out', true);
    expect(all.map((s) => s.isPaused())).toEqual([false]);
    expect([flow.waiting(1), flow.waiting(9)]).toEqual([false, false]);
  });
});

describe('OutputFlow.waiting', () => {
  type Setup = ReturnType<typeof setup>;
  it.each<{ name: string; act: (s: Setup) => Promise<void> | void; waiting: [boolean, boolean, boolean] }>([
    { name: 'nothing paused', act: () => undefined, waiting: [false, false, false] },
    { name: 'daemon holds 1:err', act: ({ flow }) => flow.hold(1, 'err', true), waiting: [true, false, false] },
    { name: 'daemon holds then lifts 1:out', act: ({ flow }) => (flow.hold(1, 'out', true), flow.hold(1, 'out', false)), waiting: [false, false, false] },
    { name: 'daemon holds both of 2', act: ({ flow }) => (flow.hold(2, 'out', true), flow.hold(2, 'err', true)), waiting: [false, true, false] },
    {
      name: 'channel full',
      act: async ({ source }) => {
        source(2, 'out').write('x'.repeat(11));
        await flush();
      },
      waiting: [true, true, false],
    },
    {
      name: 'channel full then drained',
      act: async ({ source, channel }) => {
        source(2, 'out').write('x'.repeat(11));
        await flush();
        channel.ackAll();
      },
      waiting: [false, false, false],
    },
  ])('$name: waiting(1, 2, unknown 3) = $waiting', async ({ act, waiting }) => {
    const s = setup(FOUR);
    await act(s);
    expect([s.flow.waiting(1), s.flow.waiting(2), s.flow.waiting(3)]).toEqual(waiting);
  });
});

describe('OutputFlow.release', () => {
  type Setup = ReturnType<typeof setup>;
  it.each<{ name: string; act: (s: Setup) => Promise<void> | void }>([
    { name: 'a daemon hold', act: ({ flow }) => flow.hold(1, 'out', true) },
    {
      name: 'a full channel',
      act: async ({ source }) => {
        source(2, 'err').write('x'.repeat(11));
        await flush();
      },
    },
    {
      name: 'both a hold and a full channel',
      act: async ({ flow, source }) => {
        flow.hold(1, 'out', true);
        flow.hold(2, 'out', true);
        source(2, 'err').write('x'.repeat(11));
        await flush();
      },
    },
  ])('overrides $name, for good', async ({ act }) => {
    const s = setup(FOUR);
    const { channel, flow, source, all } = s;
    await act(s);
    expect(all.some((r) => r.isPaused())).toBe(true);
    source(1, 'out').write('held');
    await flush();

    flow.release();
    await flush();
    expect(all.map((r) => r.isPaused())).toEqual([false, false, false, false]);
    expect([flow.waiting(1), flow.waiting(2)]).toEqual([false, false]);
    expect(channel.textOf(1, 'out')).toBe('held');

    // Nothing pauses a source any more: neither a new hold nor a channel far above high.
    flow.hold(1, 'err', true);
    source(1, 'err').write('y'.repeat(50));
    source(2, 'out').write('z'.repeat(50));
    await flush();
    expect(channel.inFlight()).toBeGreaterThan(SMALL.high);
    expect(all.map((r) => r.isPaused())).toEqual([false, false, false, false]);
    expect([flow.waiting(1), flow.waiting(2)]).toEqual([false, false]);
    expect([channel.textOf(1, 'err'), channel.textOf(2, 'out')]).toEqual(['y'.repeat(50), 'z'.repeat(50)]);
    channel.ackAll();
    expect(all.some((r) => r.isPaused())).toBe(false);
  });
});

describe('OutputFlow source close', () => {
  it.each([
    { name: 'ended', close: (r: PassThrough) => r.end() },
    { name: 'destroyed', close: (r: PassThrough) => r.destroy() },
  ])('forgets a source once it has closed ($name): a later hold is a no-op', async ({ close }) => {
    const { flow, source } = setup([
      [1, 'out'],
      [1, 'err'],
    ]);
    const readable = source(1, 'out');
    const closed = once(readable, 'close');
    close(readable);
    await closed;
    flow.hold(1, 'out', true);
    expect(readable.isPaused()).toBe(false);
    expect(flow.waiting(1)).toBe(false);
    flow.hold(1, 'err', true);
    expect(flow.waiting(1)).toBe(true);
  });

  it('stops counting a held source as waiting once it closes', async () => {
    const { flow, source } = setup([[1, 'out']]);
    flow.hold(1, 'out', true);
    expect(flow.waiting(1)).toBe(true);
    const readable = source(1, 'out');
    const closed = once(readable, 'close');
    readable.destroy();
    await closed;
    expect(flow.waiting(1)).toBe(false);
  });

  it('leaves a closed source out of a later channel-full pause', async () => {
    const { flow, source } = setup([
      [1, 'out'],
      [2, 'out'],
    ]);
    const gone = source(1, 'out');
    const closed = once(gone, 'close');
    gone.end('bye');
    await closed;
    source(2, 'out').write('x'.repeat(11));
    await flush();
    expect(source(2, 'out').isPaused()).toBe(true);
    expect(gone.isPaused()).toBe(false);
    expect([flow.waiting(1), flow.waiting(2)]).toEqual([false, true]);
  });

  // One primary serves several apps: a flood of one app holds back that app alone.
  it("pauses only the flooding app's sources when its bytes in flight pass the limit", async () => {
    const channel = fakeChannel();
    const flow = new OutputFlow(channel.send, SMALL);
    const [a1, a2, b1] = [new PassThrough(), new PassThrough(), new PassThrough()];
    flow.attach(1, 'out', a1, 'a');
    flow.attach(2, 'out', a2, 'a');
    flow.attach(3, 'out', b1, 'b');
    a1.write('x'.repeat(11));
    await flush();
    expect([a1.isPaused(), a2.isPaused(), b1.isPaused()]).toEqual([true, true, false]);
    b1.write('y'.repeat(4));
    await flush();
    expect(channel.textOf(3, 'out')).toBe('yyyy');
    expect(b1.isPaused()).toBe(false);
    channel.ack(0);
    await flush();
    expect([a1.isPaused(), a2.isPaused(), b1.isPaused()]).toEqual([false, false, false]);
  });
});
