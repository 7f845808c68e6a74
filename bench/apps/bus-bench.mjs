// The bus bench's app (bench/bus.bench.mjs), one script in two roles. As the agent (role: agent):
// once web#0 and web#1 said hello, it measures agent → web#1 latency (LAT sends, each after the
// echo of the previous one),
// has web#0 measure web#0 → web#1 the same way, then pipelines TPUT messages to web#1; each
// receiver reports back and the agent writes everything to $BENCH_OUT. Latency is one-way:
// process.hrtime is CLOCK_MONOTONIC, one clock for every process of the machine.
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { on, ready, send, synced } from '../../dist/worker.js';

const LAT = Number(process.env.BENCH_LAT ?? 2000);
const TPUT = Number(process.env.BENCH_TPUT ?? 20000);
const now = () => process.hrtime.bigint();
const ms = (ns) => Number(ns) / 1e6;

/** Messages in flight at once for the throughput run: a burst above the bus's 1 MiB queue per receiver would be dropped. */
const WINDOW = 256;
const windowed = async (n, start) => {
  let next = 0;
  const lane = async () => {
    while (next < n) await start(next++);
  };
  await Promise.all(Array.from({ length: WINDOW }, lane));
};

// One at a time: each message after the receiver echoed the previous one, so no queue forms.
let echoed = () => {};
on('lat-back', () => echoed());
const sequential = async (to, n) => {
  for (let i = 0; i < n; i++) {
    const back = new Promise((resolve) => (echoed = resolve));
    await send(to, 'lat', { t: String(now()), i, n });
    await back;
  }
};

if (process.env.BENCH_ROLE === 'agent') {
  const heard = new Set();
  const results = {};
  let started = false;
  const waiting = new Map();
  const result = (name) => new Promise((resolve) => waiting.set(name, resolve));
  on('result', (data) => waiting.get(data.name)?.(data));
  on('hello', async (_d, { from }) => {
    heard.add(from);
    if (started || !heard.has('web#0') || !heard.has('web#1')) return;
    started = true;
    const a2w = result('lat');
    await sequential('web#1', LAT);
    results.agentToWorker = (await a2w).samples;
    const w2w = result('lat');
    await send('web#0', 'run-w2w', {});
    results.workerToWorker = (await w2w).samples;
    const tput = result('tput');
    const t0 = now();
    let dropped = 0;
    await windowed(TPUT, (i) => send('web#1', 'tput', { i, n: TPUT, t0: String(t0) }).then((r) => (dropped += r.dropped)));
    const got = await tput;
    results.throughput = { messages: TPUT, seconds: got.seconds, dropped, window: WINDOW };
    writeFileSync(process.env.BENCH_OUT, JSON.stringify(results));
  });
  await synced();
  ready();
} else {
  let samples = [];
  on('lat', (d, { from }) => {
    samples.push(ms(now() - BigInt(d.t)));
    void send(from, 'lat-back', d.i);
    if (d.i === d.n - 1) {
      void send('agent', 'result', { name: 'lat', samples });
      samples = [];
    }
  });
  on('run-w2w', () => void sequential('web#1', LAT));
  on('tput', (d) => {
    if (d.i === d.n - 1) void send('agent', 'result', { name: 'tput', seconds: ms(now() - BigInt(d.t0)) / 1000 });
  });
  await synced();
  await send('agent', 'hello', {});
  createServer((_q, s) => s.end('ok')).listen(Number(process.env.PORT));
}
