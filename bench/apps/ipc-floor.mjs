// The floor of the bus bench: Node's own process.send between a cluster primary and one worker,
// measured the way bench/apps/bus-bench.mjs measures the bus (one-way, CLOCK_MONOTONIC): LAT
// messages one at a time (each after the worker echoed the previous one), then TPUT pipelined
// (at most WINDOW whose send callback is pending).
// Prints one JSON line: { agentToWorker: [ms...], throughput: { messages, seconds } }.
import cluster from 'node:cluster';

const LAT = Number(process.env.BENCH_LAT ?? 2000);
const TPUT = Number(process.env.BENCH_TPUT ?? 20000);
const WINDOW = 256;
const now = () => process.hrtime.bigint();
const ms = (ns) => Number(ns) / 1e6;

if (cluster.isPrimary) {
  const worker = cluster.fork();
  // Every message the worker sends, in order: two can arrive in one tick.
  const inbox = [];
  let wake = () => {};
  worker.on('message', (m) => {
    inbox.push(m);
    wake();
  });
  const reply = async () => {
    while (inbox.length === 0) await new Promise((resolve) => (wake = resolve));
    return inbox.shift();
  };
  // Its listener is in place once it says so ('online' comes before its code ran).
  await reply();
  let lat;
  // One at a time: each message after the worker echoed the previous one, so no queue forms.
  for (let i = 0; i < LAT; i++) {
    const back = reply();
    worker.send({ type: 'lat', t: String(now()), i, n: LAT });
    const answer = await back;
    if (i === LAT - 1) lat = answer.samples === undefined ? await reply() : answer;
  }
  const tputDone = reply();
  const t0 = String(now());
  // The same window as the bus bench: at most WINDOW messages whose send callback is pending.
  let next = 0;
  const lane = async () => {
    while (next < TPUT) {
      const i = next++;
      await new Promise((resolve) => worker.send({ type: 'tput', i, n: TPUT, t0 }, resolve));
    }
  };
  await Promise.all(Array.from({ length: WINDOW }, lane));
  const tput = await tputDone;
  process.stdout.write(`${JSON.stringify({ agentToWorker: lat.samples, throughput: { messages: TPUT, seconds: tput.seconds, window: WINDOW } })}\n`);
  worker.kill();
} else {
  let samples = [];
  process.on('message', (d) => {
    if (d.type === 'lat') {
      samples.push(ms(now() - BigInt(d.t)));
      process.send('back');
      if (d.i === d.n - 1) {
        process.send({ samples });
        samples = [];
      }
    } else if (d.type === 'tput' && d.i === d.n - 1) process.send({ seconds: ms(now() - BigInt(d.t0)) / 1000 });
  });
  process.send('ready');
}
