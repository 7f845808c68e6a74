// Memory per cluster app (issue 13): 10 cluster-mode apps of 2 workers each, the same tiny HTTP
// server, under orch and under PM2 (both through their own CLIs, isolated homes), and the same 20
// worker processes run alone (plain `node server.js`, one port each), all in the same run.
//
// For each tool, sampled after settling (median of a few samples, VmRSS from /proc):
//   - its manager before any app (orch: the daemon; PM2: its God daemon) and with the 10 apps;
//   - with the apps, every process of the tool that is not a worker (orch: daemon + shared
//     primary; PM2: its daemon, which is the primary of all its cluster apps);
//   - the workers' own RSS, against the workers alone.
// Overhead per app = (non-worker RSS with the apps − the manager's RSS before any app) / 10: what
// each cluster app costs beyond its workers. Target: orch ≤ 5 MB per app. The workers' excess over
// the workers alone is reported beside it (PM2 loads its agent into every worker; orch preloads its
// drain into every cluster worker). Last, orch's shared primary is SIGKILLed and the time until
// every app's port serves again is reported (what one crash of it costs).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  descendantsOf,
  findFreePorts,
  findPm2,
  killPids,
  killProcesses,
  markdownTable,
  median,
  passFail,
  readRssKiB,
  requireFile,
  skip,
  withOrchHome,
  withOrchSnapshot,
  withPm2,
  withTempDir,
} from './lib.mjs';

const APPS = 10;
const WORKERS = 2;
const SETTLE_MS = 3000;
const SAMPLES = 5;
const SAMPLE_INTERVAL_MS = 500;
const TARGET_MB_PER_APP = 5;

const SERVER_JS = `// A tiny HTTP server on $PORT, for the cluster-rss bench.
const http = require('node:http');
http.createServer((req, res) => res.end('ok\\n')).listen(Number(process.env.PORT));
`;

export async function run() {
  if (!existsSync('/proc/self/status')) skip('needs Linux /proc (RSS is read there)');
  requireFile('dist/cli.cjs', 'orch is not built (run `node scripts/build.mjs`)');
  if (!findPm2()) skip('pm2 is not installed (it is a devDependency: run `npm install`)');
  return withOrchSnapshot((bin) =>
    withTempDir('cluster-rss', async (dir) => {
      try {
        const server = join(dir, 'server.js');
        await writeFile(server, SERVER_JS);
        const ports = await findFreePorts(APPS * 2 + APPS * WORKERS);
        const alone = await benchAlone(server, ports.slice(APPS * 2));
        const orch = await benchOrch(dir, server, ports.slice(0, APPS), bin);
        const pm2 = await benchPm2(dir, server, ports.slice(APPS, APPS * 2));
        return report({ alone, orch, pm2 });
      } finally {
        await killProcesses({ cmdlineContains: dir });
      }
    }),
  );
}

// ---------------------------------------------------------------- the three worlds

async function benchAlone(server, ports) {
  const children = ports.map((port) => spawn(process.execPath, [server], { env: { ...process.env, PORT: String(port) }, stdio: 'ignore' }));
  try {
    await waitForPorts(ports);
    await sleep(SETTLE_MS);
    const workers = await sampleSum(children.map((c) => c.pid));
    return { workersKiB: workers };
  } finally {
    killPids(children.map((c) => c.pid));
  }
}

async function benchOrch(dir, server, ports, bin) {
  return withOrchHome(
    async (o) => {
      const project = join(dir, 'orch');
      await mkdir(project, { recursive: true });
      const lines = ['version: 1', 'name: cluster-rss', 'apps:'];
      ports.forEach((port, i) => {
        lines.push(`  app-${i}:`, `    run: [${JSON.stringify(process.execPath)}, ${JSON.stringify(server)}]`, '    mode: cluster', `    instances: ${WORKERS}`, `    port: ${port}`);
      });
      const file = join(project, 'ecosystem.yaml');
      await writeFile(file, `${lines.join('\n')}\n`);
      await o.orch(['status']); // starts the daemon with no app
      const daemon = JSON.parse((await o.orch(['daemon', 'status', '--output', 'json'])).stdout).pid;
      await sleep(SETTLE_MS);
      const managerBefore = await sampleSum([daemon]);
      const anonBefore = await sampleSum([daemon], readAnonKiB);
      await o.orch(['apply', file]);
      await waitForPorts(ports);
      const status = JSON.parse((await o.orch(['status', '--output', 'json'])).stdout);
      const workers = status.apps.flatMap((a) => a.instances.map((i) => i.pid)).filter((p) => p > 0);
      if (workers.length !== APPS * WORKERS) throw new Error(`orch: ${workers.length} of ${APPS * WORKERS} workers running`);
      await sleep(SETTLE_MS);
      const others = [daemon, ...(await descendantsOf(daemon)).filter((p) => !workers.includes(p))];
      const primaries = others.length - 1;
      const managerAfter = await sampleSum(others);
      const anonAfter = await sampleSum(others, readAnonKiB);
      const workersKiB = await sampleSum(workers);
      // What one crash of the shared primary costs: every app's port, until its workers are back.
      const primary = others.find((p) => p !== daemon);
      const killedAt = performance.now();
      if (primary !== undefined) process.kill(primary, 'SIGKILL');
      await sleep(20);
      await waitForHttp(ports);
      const backMs = performance.now() - killedAt;
      return { managerBefore, managerAfter, workersKiB, anonBefore, anonAfter, helpers: primaries, primaryCrashBackMs: Math.round(backMs) };
    },
    { bin },
  );
}

async function benchPm2(dir, server, ports) {
  return withPm2(async (p) => {
    const project = join(dir, 'pm2');
    await mkdir(project, { recursive: true });
    const apps = ports.map((port, i) => ({ name: `app-${i}`, script: server, cwd: project, exec_mode: 'cluster', instances: WORKERS, env: { PORT: String(port) } }));
    const file = join(project, 'ecosystem.config.cjs');
    await writeFile(file, `module.exports = ${JSON.stringify({ apps }, null, 2)};\n`);
    await p.pm2(['ping']); // starts the God daemon with no app
    const daemon = Number((await readFile(join(p.home, 'pm2.pid'), 'utf8')).trim());
    await sleep(SETTLE_MS);
    const managerBefore = await sampleSum([daemon]);
    const anonBefore = await sampleSum([daemon], readAnonKiB);
    await p.pm2(['start', file]);
    await waitForPorts(ports);
    const list = JSON.parse((await p.pm2(['jlist'])).stdout.replace(/^[^[]*/, ''));
    const workers = list.map((proc) => proc.pid).filter((pid) => pid > 0);
    if (workers.length !== APPS * WORKERS) throw new Error(`pm2: ${workers.length} of ${APPS * WORKERS} workers running`);
    await sleep(SETTLE_MS);
    const others = [daemon, ...(await descendantsOf(daemon)).filter((pid) => !workers.includes(pid))];
    const managerAfter = await sampleSum(others);
    const anonAfter = await sampleSum(others, readAnonKiB);
    const workersKiB = await sampleSum(workers);
    return { managerBefore, managerAfter, anonBefore, anonAfter, workersKiB, helpers: others.length - 1 };
  });
}

// ---------------------------------------------------------------- helpers

/** The median over a few samples of the summed VmRSS (KiB) of `pids`. */
async function sampleSum(pids, read = readRssKiB) {
  const sums = [];
  for (let k = 0; k < SAMPLES; k++) {
    if (k > 0) await sleep(SAMPLE_INTERVAL_MS);
    let sum = 0;
    for (const pid of pids) sum += (await read(pid)) ?? 0;
    sums.push(sum);
  }
  return median(sums);
}

/**
 * RssAnon (KiB): the part of RSS that is the process's own. Most of a node process's RSS is the
 * node binary's pages (RssFile), shared by every node process on the host.
 */
async function readAnonKiB(pid) {
  try {
    const match = /^RssAnon:\s+(\d+)\s+kB/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

async function waitForPorts(ports, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (const port of ports) {
    for (;;) {
      const ok = await new Promise((resolve) => {
        const socket = connect({ host: '127.0.0.1', port }, () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      });
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`port ${port} did not answer within ${timeoutMs} ms`);
      await sleep(50);
    }
  }
}

/** Until every port answers an HTTP GET with 200 (the new workers serve). */
async function waitForHttp(ports, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (const port of ports) {
    while ((await fetch(`http://127.0.0.1:${port}/`).then((r) => r.status, () => 0)) !== 200) {
      if (Date.now() > deadline) throw new Error(`port ${port} did not serve within ${timeoutMs} ms`);
      await sleep(10);
    }
  }
}

// ---------------------------------------------------------------- report

function report({ alone, orch, pm2 }) {
  const mb = (kib) => kib / 1024;
  const fmt = (kib) => `${mb(kib).toFixed(1)} MB`;
  const perApp = (t) => (t.managerAfter - t.managerBefore) / APPS;
  const anonPerApp = (t) => (t.anonAfter - t.anonBefore) / APPS;
  const workerExcess = (t) => (t.workersKiB - alone.workersKiB) / APPS;
  const orchPerApp = perApp(orch);
  const pass = mb(orchPerApp) <= TARGET_MB_PER_APP;
  const rows = [
    ['orch', fmt(orch.managerBefore), fmt(orch.managerAfter), `${orch.helpers}`, fmt(orch.workersKiB), fmt(orchPerApp), fmt(anonPerApp(orch)), fmt(workerExcess(orch)), `${passFail(pass)} (≤ ${TARGET_MB_PER_APP} MB)`],
    ['PM2', fmt(pm2.managerBefore), fmt(pm2.managerAfter), `${pm2.helpers}`, fmt(pm2.workersKiB), fmt(perApp(pm2)), fmt(anonPerApp(pm2)), fmt(workerExcess(pm2)), 'reference'],
    ['workers alone', '', '', '', fmt(alone.workersKiB), '', '', '', 'floor'],
  ];
  const table = [
    markdownTable(
      ['', 'manager, no app', 'non-worker RSS, 10 apps', 'helper processes', `workers (${APPS * WORKERS})`, 'overhead per app', 'of it private (RssAnon)', 'worker excess per app', 'target'],
      rows,
    ),
    '',
    `${APPS} cluster apps × ${WORKERS} workers (the same tiny node:http server), VmRSS medians of ${SAMPLES} samples after ${SETTLE_MS / 1000} s of settling. ` +
      'Overhead per app = (every non-worker process of the tool with the apps − its manager before any app) / 10: orch\'s daemon and its shared cluster primary, PM2\'s God daemon (the primary of all its cluster apps). ' +
      'Private: the same difference in RssAnon (most of a node process\'s RSS is the node binary\'s pages, shared by every node process). ' +
      'Worker excess = (the tool\'s workers − the same 20 servers run alone) / 10. ' +
      `Then the shared primary is SIGKILLed: every one of the ${APPS} ports served again after ${orch.primaryCrashBackMs} ms (their workers restarted under a new primary).`,
  ].join('\n');
  return {
    name: 'Memory per cluster app',
    results: { apps: APPS, workers: WORKERS, aloneKiB: alone, orch, pm2, orchPerAppKiB: orchPerApp, pm2PerAppKiB: perApp(pm2), orchPrivatePerAppKiB: anonPerApp(orch), pm2PrivatePerAppKiB: anonPerApp(pm2), targetMbPerApp: TARGET_MB_PER_APP, pass },
    table,
  };
}
