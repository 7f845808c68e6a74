// A flood of messages to a receiver that stops reading (SPEC §14): the daemon's memory stays
// bounded (its queue for that receiver is, then messages are dropped and counted), the sender
// hears of each drop, and what was queued still arrives, in order, once the receiver reads again.
import { describe, expect, it } from 'vitest';
import { sandboxPerTest } from '../../helpers/sandbox-per-test.js';
import { waitFor } from '../../helpers/wait-for.js';
import { applyFile, clientAs, daemonPid, daemonStatus, fixture, pidOf, rawAs, rssOf } from './bus-helpers.js';

const sb = sandboxPerTest();
const MIB = 1024 * 1024;
const MESSAGES = 1000;
const SIZE = 200 * 1024;
const IN_FLIGHT = 8;

describe('a slow receiver', () => {
  it('a 200 MB flood to a receiver that does not read keeps the daemon within 96 MiB of its RSS; drops are counted and reported', async () => {
    await applyFile(
      sb,
      `
version: 1
name: flood
apps:
  hub:
    run: [${JSON.stringify(process.execPath)}, ${JSON.stringify(fixture('bus-agent.js'))}]
    role: agent
    ready: { type: message, timeout: 20s }
  idle:
    run: [${JSON.stringify(process.execPath)}, ${JSON.stringify(fixture('forever.js'))}]
    ready: { type: none, delay: 100ms }
`,
    );
    // The test speaks as idle#0: subscribes, then stops reading.
    const slow = rawAs(await pidOf(sb, 'idle'));
    slow.write({ type: 'subscribe', topic: 'flood', id: 1 });
    await waitFor(() => slow.frames.some((f) => f.type === 'ack' && f.id === 1), { what: 'the subscription' });
    slow.socket.pause();
    const sender = clientAs(await pidOf(sb, 'hub'));

    const daemon = daemonPid(sb);
    const baseline = rssOf(daemon);
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssOf(daemon))), 20);
    let delivered = 0;
    let dropped = 0;
    const filler = 'z'.repeat(SIZE);
    try {
      let next = 0;
      const lane = async (): Promise<void> => {
        while (next < MESSAGES) {
          const seq = next++;
          try {
            // WARNING: not `delivered += await ...`: the left side would be read before the await.
            const result = await sender.send('idle#0', 'flood', { seq, filler });
            delivered += result.delivered;
          } catch (err) {
            expect((err as { code?: string }).code).toBe('ORCH_BUS_DROPPED');
            dropped++;
          }
        }
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, rssOf(daemon));
    expect(peak - baseline, `daemon RSS ${Math.round(baseline / MIB)} MiB → peak ${Math.round(peak / MIB)} MiB`).toBeLessThan(96 * MIB);
    expect(delivered + dropped).toBe(MESSAGES);
    expect(dropped).toBeGreaterThan(MESSAGES / 2);

    const receiver = (await daemonStatus(sb)).bus!.receivers.find((r) => r.app === 'idle' && r.instance === 0)!;
    expect(receiver).toMatchObject({ project: 'flood', connections: 1, delivered, dropped });
    expect(receiver.queuedBytes).toBeLessThanOrEqual(MIB + SIZE + 4096);
    // And orch status says so, per instance.
    const shown = await sb.orch(['status', '--output', 'json']);
    const idle = (JSON.parse(shown.stdout) as { apps: { name: string; instances: { messages: unknown }[] }[] }).apps.find((a) => a.name === 'idle');
    expect(idle?.instances[0]?.messages).toEqual({ delivered, dropped });
    expect((await sb.orch(['status'])).stderr).toContain(`warning: idle#0: ${dropped} messages dropped: it read them too slowly`);

    // Reading again: what was queued arrives, in order.
    slow.socket.resume();
    const seqs = await waitFor(
      () => {
        const got = slow.frames.filter((f) => f.type === 'deliver').map((f) => (f.data as { seq: number }).seq);
        return got.length === delivered ? got : undefined;
      },
      { timeout: 20_000, what: 'the queued messages' },
    );
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    slow.socket.destroy();
  }, 120_000);
});
