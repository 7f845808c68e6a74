// Messages between processes (SPEC §14): latency (p50/p99, one-way) of a message agent → worker
// and worker → worker through orch's bus, and messages per second, beside the floor: Node's own
// process.send between a cluster primary and its worker, measured the same way
// (bench/apps/ipc-floor.mjs). Under orch: an agent (fork) and a cluster app of 2 workers
// (bench/apps/bus-bench.mjs), through the built CLI in a fresh ORCH_HOME. Every bus message takes
// two socket hops (sender → daemon → receiver) and two JSON round trips; process.send takes one.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findFreePorts, markdownTable, percentile, repoRoot, withOrchHome, withOrchSnapshot, withTempDir } from './lib.mjs';

const LAT = 2000;
const TPUT = 20000;
const app = join(repoRoot, 'bench/apps/bus-bench.mjs');
const floor = join(repoRoot, 'bench/apps/ipc-floor.mjs');

const ecosystem = (port, out) => `
version: 1
name: busbench
apps:
  agent:
    run: [${JSON.stringify(process.execPath)}, ${JSON.stringify(app)}]
    role: agent
    ready: { type: message }
    env: { BENCH_ROLE: agent, BENCH_OUT: ${JSON.stringify(out)}, BENCH_LAT: "${LAT}", BENCH_TPUT: "${TPUT}" }
  web:
    run: [${JSON.stringify(process.execPath)}, ${JSON.stringify(app)}]
    mode: cluster
    instances: 2
    port: ${port}
    env: { BENCH_LAT: "${LAT}" }
`;

const until = async (fn, ms, what) => {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out: ${what}`);
};

const stats = (samples) => ({ n: samples.length, p50: round(percentile(samples, 50)), p99: round(percentile(samples, 99)) });
const round = (x) => Math.round(x * 1000) / 1000;

export async function run() {
  const [port] = await findFreePorts(1);
  const bus = await withOrchSnapshot((bin) =>
    withOrchHome(
      ({ orch }) =>
        withTempDir('bus-bench', async (dir) => {
          const out = join(dir, 'results.json');
          await writeFile(join(dir, 'ecosystem.yaml'), ecosystem(port, out));
          await orch(['apply', join(dir, 'ecosystem.yaml')], { cwd: dir });
          await until(() => existsSync(out), 120_000, 'the agent to write its results');
          return JSON.parse(await readFile(out, 'utf8'));
        }),
      { bin },
    ),
  );
  const { stdout } = await promisify(execFile)(process.execPath, [floor], { env: { ...process.env, BENCH_LAT: String(LAT), BENCH_TPUT: String(TPUT) }, timeout: 120_000 });
  const ipc = JSON.parse(stdout);

  const results = {
    agentToWorker: stats(bus.agentToWorker),
    workerToWorker: stats(bus.workerToWorker),
    busPerSecond: Math.round(bus.throughput.messages / bus.throughput.seconds),
    busDropped: bus.throughput.dropped,
    floorPrimaryToWorker: stats(ipc.agentToWorker),
    floorPerSecond: Math.round(ipc.throughput.messages / ipc.throughput.seconds),
    messages: { latency: LAT, throughput: TPUT, window: bus.throughput.window },
  };
  const row = (name, s, perSecond) => [name, `${s.p50} ms`, `${s.p99} ms`, perSecond === undefined ? '-' : perSecond.toLocaleString('en-US')];
  const table = [
    markdownTable(
      ['route', 'p50 (one-way)', 'p99', 'messages/s'],
      [
        row('orch bus: agent → cluster worker', results.agentToWorker, results.busPerSecond),
        row('orch bus: worker → worker', results.workerToWorker),
        row('floor: process.send, primary → worker', results.floorPrimaryToWorker, results.floorPerSecond),
      ],
    ),
    '',
    `${LAT} latency messages each sent after the echo of the previous one; ${TPUT} throughput messages with at most ${results.messages.window} unacknowledged (${results.busDropped} dropped). Every bus message crosses two unix-socket hops through the daemon.`,
  ].join('\n');
  return { name: 'bus', results, table };
}
