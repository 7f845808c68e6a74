// orch at scale on one host: 10, 50, 100 and 1,000 instances (apps of 5 instances each), each size in
// a fresh ORCH_HOME. Measured at every size: apply from nothing until converged, `orch status`
// (table and JSON), `orch diff` with nothing to change, apply of a file where one app changed
// (its env: a restart of that app only), `orch reload` of one app, the daemon's RSS and its CPU
// at idle (utime+stime from /proc/<pid>/stat over IDLE_MS).
//
// The apps are small on purpose: 1,000 `node` processes would need ~40 GB. Most instances are
// `sleep` (fork mode, no port, a non-Node process); a few apps are a tiny Node HTTP server in fork
// mode (tcp readiness, one port per instance) and one to two are cluster-mode apps of the same
// server, so every launcher and the port and readiness paths are exercised at each size.
//
// Targets at 1,000 instances: status ≤ 150 ms and ≤ 2× its time with 10 apps; daemon idle CPU
// < 1 % of a core; daemon RSS ≤ 150 MB; apply of one changed app ≤ 2× its time in a 10-app file.
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  findFreePorts,
  formatMs,
  formatRatio,
  killProcesses,
  markdownTable,
  passFail,
  readRssKiB,
  requireFile,
  skip,
  summarize,
  timeOnce,
  withOrchHome,
  withOrchSnapshot,
  withTempDir,
} from './lib.mjs';

// Instances; 50 is the 10-app file the targets compare with.
const SIZES = (process.env.ORCH_BENCH_SCALE_SIZES ?? '10,50,100,1000').split(',').map(Number);
const PER_APP = 5;
const STATUS_RUNS = 15;
const DIFF_RUNS = 5;
const CHANGE_RUNS = 5;
const RELOAD_RUNS = 3;
// Long enough for V8 to finish the collections that follow an apply of 1,000 instances (a burst of
// ~0.5 s of CPU some 5-10 s after it): idle means steady state.
const SETTLE_MS = 15_000;
const IDLE_MS = 30_000;
const CLK_TCK = 100;

const SERVER_JS = `// A tiny HTTP server on $PORT, for the scale bench.
const http = require('node:http');
http.createServer((req, res) => res.end('ok')).listen(Number(process.env.PORT));
`;

export async function run() {
  try {
    await readFile('/proc/self/stat');
  } catch {
    skip('needs Linux /proc');
  }
  requireFile('dist/cli.cjs', 'orch is not built (run `npm run build`)');
  return withOrchSnapshot((bin) =>
    withTempDir('scale', async (dir) => {
      try {
        const server = join(dir, 'server.js');
        await writeFile(server, SERVER_JS);
        const results = {};
        for (const size of SIZES) results[size] = await measureSize(dir, server, bin, size);
        return report(results);
      } finally {
        await killProcesses({ cmdlineContains: dir });
      }
    }),
  );
}

/** The mix of a size: apps of PER_APP instances; ~2 % of apps Node fork servers, ~1 % cluster (at least one of each). */
function composition(size) {
  const apps = Math.max(2, size / PER_APP);
  const nodeApps = Math.max(1, Math.round(apps * 0.02));
  const clusterApps = apps >= 10 ? Math.max(1, Math.round(apps * 0.01)) : 0;
  return { apps, nodeApps, clusterApps, sleepApps: apps - nodeApps - clusterApps };
}

function project(server, size, ports, changed = {}) {
  const { sleepApps, nodeApps, clusterApps } = composition(size);
  const lines = ['version: 1', `name: scale-${size}`, 'apps:'];
  const env = (name) => (changed[name] === undefined ? [] : [`    env: { V: "${changed[name]}" }`]);
  for (let i = 0; i < sleepApps; i++) {
    const name = `sleep-${String(i).padStart(3, '0')}`;
    lines.push(`  ${name}:`, '    run: [sleep, "1000000"]', `    instances: ${PER_APP}`, '    ready: { type: none, delay: 200ms }', ...env(name));
  }
  let next = 0;
  for (let i = 0; i < nodeApps; i++) {
    const name = `node-${i}`;
    lines.push(`  ${name}:`, `    run: [node, ${JSON.stringify(server)}]`, `    instances: ${PER_APP}`, `    port: ${ports[next]}`, '    ready: { type: tcp }', ...env(name));
    next += PER_APP;
  }
  for (let i = 0; i < clusterApps; i++) {
    const name = `cluster-${i}`;
    lines.push(`  ${name}:`, `    run: [node, ${JSON.stringify(server)}]`, '    mode: cluster', `    instances: ${PER_APP}`, `    port: ${ports[next]}`, ...env(name));
    next += 1;
  }
  return `${lines.join('\n')}\n`;
}

async function measureSize(dir, server, bin, size) {
  const { nodeApps, clusterApps, apps } = composition(size);
  const ports = await findFreePorts(nodeApps * PER_APP + clusterApps);
  const projectDir = join(dir, `size-${size}`);
  await mkdir(projectDir, { recursive: true });
  const file = join(projectDir, 'ecosystem.yaml');
  return withOrchHome(
    async (o) => {
      const cli = (args, options = {}) => timeOnce(process.execPath, [bin, ...args], { env: o.env, capture: true, timeoutMs: 600_000, ...options });
      await writeFile(file, project(server, size, ports));
      const apply = await cli(['apply', file]);
      const status = JSON.parse((await cli(['status', '--output', 'json'])).stdout);
      const instances = status.apps.flatMap((a) => a.instances);
      const online = instances.filter((i) => i.state === 'online').length;
      if (online !== apps * PER_APP) throw new Error(`size ${size}: ${online} of ${apps * PER_APP} instances online after apply`);
      const daemon = JSON.parse((await cli(['daemon', 'status', '--output', 'json'])).stdout).pid;
      await sleep(SETTLE_MS);

      // Idle first: nothing but the daemon's own timers runs.
      const idleMs = size >= 1000 ? IDLE_MS : IDLE_MS / 3;
      const cpuBefore = await cpuTicks(daemon);
      const wallBefore = performance.now();
      await sleep(idleMs);
      const cpuPercent = (((await cpuTicks(daemon)) - cpuBefore) / CLK_TCK / ((performance.now() - wallBefore) / 1000)) * 100;
      const rssMiB = (await readRssKiB(daemon)) / 1024;

      const statusMs = [];
      const statusJsonMs = [];
      for (let i = 0; i < STATUS_RUNS; i++) {
        statusMs.push((await cli(['status'])).ms);
        statusJsonMs.push((await cli(['status', '--output', 'json'])).ms);
      }
      const diffMs = [];
      for (let i = 0; i < DIFF_RUNS; i++) diffMs.push((await cli(['diff', file])).ms);
      // One app changes per run (a new env value): the plan restarts that app only.
      const changeMs = [];
      for (let i = 0; i < CHANGE_RUNS; i++) {
        await writeFile(file, project(server, size, ports, { 'sleep-000': String(i + 1) }));
        changeMs.push((await cli(['apply', file])).ms);
      }
      const reloadMs = [];
      for (let i = 0; i < RELOAD_RUNS; i++) reloadMs.push((await cli(['reload', 'sleep-000'])).ms);
      const rssAfterMiB = (await readRssKiB(daemon)) / 1024;
      return {
        instances: apps * PER_APP,
        apps,
        composition: composition(size),
        applyMs: Math.round(apply.ms),
        statusMs: summarize(statusMs),
        statusJsonMs: summarize(statusJsonMs),
        diffMs: summarize(diffMs),
        changeOneMs: summarize(changeMs),
        reloadOneMs: summarize(reloadMs),
        idle: { ms: idleMs, cpuPercent: Math.round(cpuPercent * 100) / 100 },
        rssMiB: Math.round(rssMiB * 10) / 10,
        rssAfterMiB: Math.round(rssAfterMiB * 10) / 10,
      };
    },
    { bin },
  );
}

async function cpuTicks(pid) {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat(5), 12 and 13 after the command.
  return Number(fields[11]) + Number(fields[12]);
}

function report(results) {
  const sizes = Object.keys(results).map(Number).sort((a, b) => a - b);
  const at = (size) => results[size];
  // The targets compare with the 10-app file (50 instances), or the smallest size run.
  const smallest = at(sizes.find((s) => at(s).apps === 10) ?? sizes[0]);
  const largest = at(sizes.at(-1));
  const mib = (x) => `${x.toFixed(1)} MiB`;
  const rows = [
    ['instances (apps)', ...sizes.map((s) => `${at(s).instances} (${at(s).apps})`)],
    ['apply from nothing, until converged', ...sizes.map((s) => formatMs(at(s).applyMs))],
    ['`orch status`', ...sizes.map((s) => formatMs(at(s).statusMs.median))],
    ['`orch status --output json`', ...sizes.map((s) => formatMs(at(s).statusJsonMs.median))],
    ['`orch diff`, nothing to change', ...sizes.map((s) => formatMs(at(s).diffMs.median))],
    ['`orch apply`, one app changed (restart of 5)', ...sizes.map((s) => formatMs(at(s).changeOneMs.median))],
    ['`orch reload` of one app (5 instances)', ...sizes.map((s) => formatMs(at(s).reloadOneMs.median))],
    ['daemon RSS at idle', ...sizes.map((s) => mib(at(s).rssMiB))],
    ['daemon RSS after the commands', ...sizes.map((s) => mib(at(s).rssAfterMiB))],
    ['daemon CPU at idle (% of a core)', ...sizes.map((s) => `${at(s).idle.cpuPercent.toFixed(2)} % (${at(s).idle.ms / 1000} s)`)],
  ];
  const table = markdownTable(['measure', ...sizes.map(String)], rows);
  const targets = [];
  if (largest.instances >= 1000) {
    const statusOk = largest.statusMs.median <= 150 && largest.statusMs.median <= 2 * smallest.statusMs.median;
    const cpuOk = largest.idle.cpuPercent < 1;
    const rssOk = largest.rssMiB <= 150;
    const changeOk = largest.changeOneMs.median <= 2 * smallest.changeOneMs.median;
    targets.push(
      ['`orch status` at 1,000', formatMs(largest.statusMs.median), `≤ 150 ms and ≤ 2× ${formatMs(smallest.statusMs.median)} at ${smallest.apps} apps (${formatRatio(largest.statusMs.median, smallest.statusMs.median)})`, passFail(statusOk)],
      ['daemon idle CPU at 1,000', `${largest.idle.cpuPercent.toFixed(2)} %`, '< 1 % of a core', passFail(cpuOk)],
      ['daemon RSS at 1,000', mib(largest.rssMiB), '≤ 150 MB', passFail(rssOk)],
      ['apply of one changed app at 1,000', formatMs(largest.changeOneMs.median), `≤ 2× ${formatMs(smallest.changeOneMs.median)} at ${smallest.apps} apps (${formatRatio(largest.changeOneMs.median, smallest.changeOneMs.median)})`, passFail(changeOk)],
    );
  }
  const mix = sizes.map((s) => `${s}: ${at(s).composition.sleepApps} sleep + ${at(s).composition.nodeApps} node fork + ${at(s).composition.clusterApps} cluster apps`).join('; ');
  const notes =
    `Apps of ${PER_APP} instances. Mix (${mix}): \`sleep 1000000\` fork apps without a port (ready: none, 200ms), ` +
    `tiny Node HTTP servers in fork mode (ready: tcp, one port per instance) and in cluster mode; 1,000 Node processes would need ~40 GB. ` +
    `Medians: status ${STATUS_RUNS} runs each, diff ${DIFF_RUNS}, one-app change ${CHANGE_RUNS}, reload ${RELOAD_RUNS}. ` +
    `Idle CPU: utime+stime of the daemon from /proc/<pid>/stat over the stated time, after ${SETTLE_MS / 1000} s of settling.`;
  const parts = [table];
  if (targets.length > 0) parts.push(markdownTable(['target', 'measured', 'target', 'verdict'], targets));
  parts.push(notes);
  return { name: 'Scale: 10, 100, 1,000 instances on one host', results: { sizes: results }, table: parts.join('\n\n') };
}
