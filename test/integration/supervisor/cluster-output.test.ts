// Cluster workers' output crosses the primary's IPC channel to the daemon: every line must
// arrive, in order, and a flood must wait in the worker's pipe, not pile up in the primary.
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/wait-for.js';
import { createHarness, type Harness, nodeApp } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.teardown();
  h = undefined;
});

/** This process's children that run the cluster primary script. */
const primaries = (): number[] =>
  readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return ppid === process.pid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('cluster-primary');
      } catch {
        return false;
      }
    })
    .map(Number);

/** The last bytes of an app's log: polling the whole 60 MB file would be the slow part. */
const logTail = (home: string, app: string): string => {
  const path = join(home, 'logs', `${app}.log`);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    const tail = Buffer.alloc(Math.min(size, 256));
    readSync(fd, tail, 0, tail.length, size - tail.length);
    return tail.toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
};

/** Resident memory of a live process, in MiB. */
const rssMiB = (pid: number): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;

/** Blocks this thread, and so the supervisor in it: a daemon too busy to read its channel. */
const stall = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

describe('cluster worker output', () => {
  it('holds a flood back in the worker while the daemon cannot read, then keeps every line in order', async () => {
    // One log file for the whole flood, so the test reads every line back.
    h = createHarness({ logs: { settings: { maxBytes: 1024 ** 3, keep: 0 } } });
    const total = 60_000;
    const width = 1000;
    const spec = nodeApp('flood', 'flood.js', [String(total), String(width)], {
      mode: 'cluster',
      restart: { policy: 'never' },
      ready: { type: 'none', delayMs: 0 },
    });
    expect(await h.supervisor.create(spec)).toEqual({ ok: true });
    const [primary] = primaries();
    expect(primary).toBeDefined();
    const idle = rssMiB(primary!);
    // The worker writes all 60 MB in well under this. Without backpressure the primary would
    // keep reading its pipe and queue every byte on the channel to the stalled daemon.
    stall(1500);
    const grown = rssMiB(primary!) - idle;
    await waitFor(() => logTail(h!.home, 'flood').includes('partial-last'), { what: 'the whole flood in the log', timeout: 60_000, interval: 100 });
    const text = h.logText('flood');
    const out = text
      .split('\n')
      .filter((l) => l.includes(' flood#0 out '))
      .map((l) => l.slice(l.indexOf(' out ') + 5));
    expect(out).toHaveLength(total + 1);
    for (let n = 0; n < total; n++) if (out[n] !== `line ${n}`.padEnd(width, '.')) expect.fail(`line ${n} is ${out[n]?.slice(0, 20)}…`);
    expect(out[total]).toBe('partial-last');
    // With backpressure about 1 MiB is in flight when the primary pauses the pipe.
    expect(grown).toBeLessThan(15);
  }, 90_000);
});
