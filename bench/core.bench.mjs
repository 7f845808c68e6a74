// The core loop against PM2, both driven through their own CLIs in the same run, each in an
// isolated home (ORCH_HOME / PM2_HOME in a temporary directory):
//   1. status latency with 10 fork-mode apps running: `orch status` vs `pm2 ls` and
//      `orch status --output json` vs `pm2 jlist`, interleaved round-robin.
//      Target: median(orch status) ≤ ½ median(pm2 ls).
//   2. daemon idle RSS with the same 10 apps, after settling: VmRSS of the orch daemon vs PM2's
//      God daemon, sampled a few times (median). Target: orch ≤ PM2.
//   3. 100 fork-mode apps (tiny HTTP servers, one port each) from nothing until every port
//      accepts a TCP connection: `orch apply` vs `pm2 start ecosystem.config.cjs`, fresh homes
//      each run (so both include starting their daemon), runs alternated. Each command's own
//      return time is reported too. Target: median(orch) ≤ median(PM2).
// Every process started here is stopped afterwards, also on failure: `orch daemon stop`,
// `pm2 kill`, then SIGKILL for whatever still carries one of our homes or our temporary directory.
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
  formatMs,
  formatRatio,
  killPids,
  killProcesses,
  markdownTable,
  passFail,
  readRssKiB,
  requireFile,
  skip,
  summarize,
  timeInterleaved,
  timeOnce,
  withOrchHome,
  withOrchSnapshot,
  withPm2,
  withTempDir,
} from './lib.mjs';

const STEADY_APPS = 10;
const STATUS_RUNS = 20;
const SETTLE_MS = 3000;
const RSS_SAMPLES = 5;
const RSS_INTERVAL_MS = 700;
const APPLY_APPS = 100;
const APPLY_RUNS = 3;
const READY_TIMEOUT_MS = 90_000;
const COMMAND_TIMEOUT_MS = 120_000;

const SERVER_JS = `// A tiny HTTP server on $PORT, for the core bench.
const http = require('node:http');
http.createServer((req, res) => res.end('ok\\n')).listen(Number(process.env.PORT));
`;

export async function run() {
  if (!existsSync('/proc/self/status')) skip('needs Linux /proc (RSS and process sweeps read it)');
  requireFile('dist/cli.cjs', 'orch is not built (run `node scripts/build.mjs`)');
  if (!findPm2()) skip('pm2 is not installed (it is a devDependency: run `npm install`)');

  // A private copy of the build: other people rebuild dist/ in this checkout meanwhile.
  return withOrchSnapshot((bin) => withTempDir('core', async (dir) => {
    try {
      const server = join(dir, 'server.js');
      await writeFile(server, SERVER_JS);
      const steady = await benchSteady(dir, server, bin);
      const apply = await benchApply(dir, server, bin);
      return report(steady, apply);
    } finally {
      // Apps started under this directory, whoever started them, must not outlive the bench.
      await killProcesses({ cmdlineContains: dir });
    }
  }));
}

// ---------------------------------------------------------------- 1 + 2: 10 apps, status and RSS

async function benchSteady(dir, server, bin) {
  return withOrchHome(async (o) =>
    withPm2(async (p) => {
      const ports = await findFreePorts(2 * STEADY_APPS);
      const orchPorts = ports.slice(0, STEADY_APPS);
      const pm2Ports = ports.slice(STEADY_APPS);
      const orchFile = await writeOrchProject(join(dir, 'steady-orch'), server, orchPorts, 'core-steady');
      const pm2File = await writePm2Project(join(dir, 'steady-pm2'), server, pm2Ports);
      const appPids = [];
      try {
        await runOrFail(`orch apply ${orchFile}`, () => o.orch(['apply', orchFile]));
        await runOrFail(`pm2 start ${pm2File}`, () => p.pm2(['start', pm2File]));
        await waitForPorts([...orchPorts, ...pm2Ports], performance.now());
        const orchApps = await orchInstances(o);
        const pm2Apps = await pm2Instances(p);
        appPids.push(...orchApps.map((a) => a.pid), ...pm2Apps.map((a) => a.pid));
        expectOnline('orch', orchApps, STEADY_APPS);
        expectOnline('pm2', pm2Apps, STEADY_APPS);

        // 2. Idle RSS first, before hundreds of status calls have churned either daemon's heap.
        const orchDaemon = await orchDaemonPid(o);
        const pm2Daemon = await pm2DaemonPid(p.home);
        // The floor: an idle Node process with a timer, which either daemon is at the least.
        const idle = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
        let rss;
        try {
          await sleep(SETTLE_MS);
          rss = await sampleRss({
            orch: { daemon: orchDaemon, apps: orchApps.map((a) => a.pid) },
            pm2: { daemon: pm2Daemon, apps: pm2Apps.map((a) => a.pid) },
            node: { daemon: idle.pid, apps: [] },
          });
        } finally {
          idle.kill('SIGKILL');
        }

        // 1. Status latency, the four commands round-robin.
        const node = process.execPath;
        const samples = await timeInterleaved(
          {
            orchStatus: { command: node, args: [bin, 'status'], env: o.env },
            pm2Ls: { command: node, args: [p.bin, 'ls'], env: p.env },
            orchJson: { command: node, args: [bin, 'status', '--output', 'json'], env: o.env },
            pm2Jlist: { command: node, args: [p.bin, 'jlist'], env: p.env },
            // Floors, to read the above: Node's own start-up, and orch's CLI start-up without
            // the daemon round trip.
            nodeFloor: { command: node, args: ['-e', '0'], env: o.env },
            orchVersion: { command: node, args: [bin, '--version'], env: o.env },
          },
          { runs: STATUS_RUNS, warmup: 2 },
        );
        const status = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, summarize(v)]));
        // Both daemons must still be the ones measured above (nothing restarted underneath).
        if ((await orchDaemonPid(o)) !== orchDaemon) throw new Error('the orch daemon changed pid during the status runs');
        return { apps: STEADY_APPS, status, rss };
      } catch (error) {
        killPids(appPids);
        throw error;
      }
    }),
  { bin });
}

async function sampleRss(targets) {
  const samples = Object.fromEntries(Object.keys(targets).map((k) => [k, { daemon: [], helpers: [], apps: [] }]));
  for (let i = 0; i < RSS_SAMPLES; i++) {
    if (i > 0) await sleep(RSS_INTERVAL_MS);
    for (const [tool, { daemon, apps }] of Object.entries(targets)) {
      const daemonKiB = await readRssKiB(daemon);
      if (daemonKiB === undefined) throw new Error(`the ${tool} daemon (pid ${daemon}) is gone`);
      // Helpers: the daemon's descendants that are neither an app nor below one (log writers,
      // workers…), so a daemon cannot look small by moving its work into another process.
      const appSet = new Set(apps);
      const belowApps = new Set();
      for (const app of apps) for (const d of await descendantsOf(app)) belowApps.add(d);
      const helpers = (await descendantsOf(daemon)).filter((pid) => !appSet.has(pid) && !belowApps.has(pid));
      samples[tool].daemon.push(daemonKiB);
      samples[tool].helpers.push(await sumRss(helpers));
      samples[tool].apps.push(await sumRss(apps));
    }
  }
  const toMiB = (kib) => kib.map((x) => x / 1024);
  return Object.fromEntries(
    Object.entries(targets).map(([tool, { daemon }]) => [
      tool,
      {
        pid: daemon,
        daemonMiB: summarize(toMiB(samples[tool].daemon)),
        helpersMiB: summarize(toMiB(samples[tool].helpers)),
        appsMiB: summarize(toMiB(samples[tool].apps)),
      },
    ]),
  );
}

async function sumRss(pids) {
  let total = 0;
  for (const pid of pids) total += (await readRssKiB(pid)) ?? 0;
  return total;
}

// ---------------------------------------------------------------- 3: 100 apps until all ready

async function benchApply(dir, server, bin) {
  const runs = { orch: [], pm2: [] };
  for (let round = 0; round < APPLY_RUNS; round++) {
    // Alternate who goes first, so a warming page cache or a noisy neighbour hits both alike.
    const order = round % 2 === 0 ? ['orch', 'pm2'] : ['pm2', 'orch'];
    for (const tool of order) {
      const project = join(dir, `apply-${tool}-${round}`);
      runs[tool].push(tool === 'orch' ? await applyOrchOnce(project, server, round, bin) : await applyPm2Once(project, server));
    }
  }
  const summary = (tool, key) => summarize(runs[tool].map((r) => r[key]));
  return {
    apps: APPLY_APPS,
    runs,
    orch: { readyMs: summary('orch', 'readyMs'), commandMs: summary('orch', 'commandMs'), firstPortMs: summary('orch', 'firstPortMs') },
    pm2: { readyMs: summary('pm2', 'readyMs'), commandMs: summary('pm2', 'commandMs'), firstPortMs: summary('pm2', 'firstPortMs') },
  };
}

async function applyOrchOnce(project, server, round, bin) {
  return withOrchHome(async (o) => {
    const ports = await findFreePorts(APPLY_APPS);
    const file = await writeOrchProject(project, server, ports, `core-apply-${round}`);
    const result = await timeUntilReady('orch apply', process.execPath, [bin, 'apply', file], o.env, ports);
    expectOnline('orch', await orchInstances(o), APPLY_APPS);
    return result;
  }, { bin });
}

async function applyPm2Once(project, server) {
  return withPm2(async (p) => {
    const ports = await findFreePorts(APPLY_APPS);
    const file = await writePm2Project(project, server, ports);
    const result = await timeUntilReady('pm2 start', process.execPath, [p.bin, 'start', file], p.env, ports);
    expectOnline('pm2', await pm2Instances(p), APPLY_APPS);
    return result;
  });
}

/** Runs the command and polls every port from the same start instant; both must finish. */
async function timeUntilReady(label, command, args, env, ports) {
  const started = performance.now();
  const abort = { aborted: false };
  const commandRun = timeOnce(command, args, { env, capture: true, timeoutMs: COMMAND_TIMEOUT_MS }).then(
    (r) => ({ ms: performance.now() - started, stdout: r.stdout }),
    (error) => {
      abort.aborted = true; // stop polling ports that may never answer
      throw new Error(`${label} failed: ${error.message.split('\n').slice(0, 6).join('\n')}`);
    },
  );
  const portsRun = waitForPorts(ports, started, abort);
  // If the command fails the ports may never answer: fail as soon as either fails.
  const [cmd, ready] = await Promise.all([commandRun, portsRun]);
  return { commandMs: round(cmd.ms), readyMs: round(ready.allMs), firstPortMs: round(ready.firstMs) };
}

/** Polls until every port accepts a TCP connection; times are relative to `started`. */
async function waitForPorts(ports, started, abort = { aborted: false }) {
  const pending = new Set(ports);
  let firstMs;
  while (pending.size > 0) {
    if (abort.aborted) throw new Error('aborted');
    const attempts = [...pending].map(async (port) => {
      if (await tryConnect(port)) {
        pending.delete(port);
        firstMs ??= performance.now() - started;
      }
    });
    await Promise.all(attempts);
    if (pending.size === 0) break;
    if (performance.now() - started > READY_TIMEOUT_MS) {
      throw new Error(`${pending.size} of ${ports.length} ports still refuse connections after ${READY_TIMEOUT_MS / 1000} s (e.g. ${[...pending].slice(0, 5).join(', ')})`);
    }
    await sleep(10);
  }
  return { allMs: performance.now() - started, firstMs };
}

function tryConnect(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

// ---------------------------------------------------------------- projects

async function writeOrchProject(dir, server, ports, name) {
  await mkdir(dir, { recursive: true });
  const lines = ['version: 1', `name: ${name}`, 'apps:'];
  ports.forEach((port, i) => {
    lines.push(`  app-${String(i).padStart(3, '0')}:`);
    lines.push(`    run: [${JSON.stringify(process.execPath)}, ${JSON.stringify(server)}]`);
    lines.push(`    port: ${port}`);
    lines.push('    ready: { type: tcp }');
  });
  const file = join(dir, 'ecosystem.yaml');
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

async function writePm2Project(dir, server, ports) {
  await mkdir(dir, { recursive: true });
  const apps = ports.map((port, i) => ({
    name: `app-${String(i).padStart(3, '0')}`,
    script: server,
    cwd: dir,
    exec_mode: 'fork',
    instances: 1,
    env: { PORT: String(port) },
  }));
  const file = join(dir, 'ecosystem.config.cjs');
  await writeFile(file, `module.exports = ${JSON.stringify({ apps }, null, 2)};\n`);
  return file;
}

// ---------------------------------------------------------------- reading both tools

async function runOrFail(label, fn) {
  try {
    return await fn();
  } catch (error) {
    const out = `${error.stdout ?? ''}${error.stderr ?? ''}`.trim().split('\n').slice(-8).join('\n');
    throw new Error(`${label} failed (${error.code ?? error.signal ?? error.message}):\n${out}`);
  }
}

async function orchInstances(o) {
  const { stdout } = await runOrFail('orch status --output json', () => o.orch(['status', '--output', 'json']));
  const apps = JSON.parse(stdout).apps ?? [];
  return apps.flatMap((app) => app.instances.map((i) => ({ name: app.name, pid: i.pid, state: i.state })));
}

async function pm2Instances(p) {
  const { stdout } = await runOrFail('pm2 jlist', () => p.pm2(['jlist']));
  const list = JSON.parse(stdout.slice(stdout.indexOf('[')));
  return list.map((proc) => ({ name: proc.name, pid: proc.pid, state: proc.pm2_env?.status }));
}

function expectOnline(tool, instances, count) {
  const online = instances.filter((i) => i.state === 'online' && i.pid > 0);
  if (online.length !== count) {
    const states = instances.map((i) => `${i.name}:${i.state}`).slice(0, 10).join(', ');
    throw new Error(`${tool}: ${online.length} of ${count} instances online (${states})`);
  }
}

async function orchDaemonPid(o) {
  const { stdout } = await runOrFail('orch daemon status --output json', () => o.orch(['daemon', 'status', '--output', 'json']));
  const status = JSON.parse(stdout);
  if (!status.running || !(status.pid > 0)) throw new Error(`orch daemon status reports no running daemon: ${stdout.trim()}`);
  return status.pid;
}

async function pm2DaemonPid(home) {
  const pid = Number((await readFile(join(home, 'pm2.pid'), 'utf8')).trim());
  if (!(pid > 0)) throw new Error(`no pid in ${join(home, 'pm2.pid')}`);
  return pid;
}

// ---------------------------------------------------------------- report

function report(steady, apply) {
  const { status, rss } = steady;
  const statusTargetOk = status.orchStatus.median <= status.pm2Ls.median / 2;
  const rssOk = rss.orch.daemonMiB.median <= rss.pm2.daemonMiB.median;
  const applyOk = apply.orch.readyMs.median <= apply.pm2.readyMs.median;
  const mib = (x) => (Number.isFinite(x) ? `${x.toFixed(1)} MiB` : 'n/a');
  const rows = [
    [`\`orch status\` vs \`pm2 ls\`, ${steady.apps} apps`, formatMs(status.orchStatus.median), formatMs(status.orchStatus.p90), formatMs(status.pm2Ls.median), formatMs(status.pm2Ls.p90), formatRatio(status.orchStatus.median, status.pm2Ls.median), '≤ 0.50x', passFail(statusTargetOk)],
    [`\`orch status --output json\` vs \`pm2 jlist\``, formatMs(status.orchJson.median), formatMs(status.orchJson.p90), formatMs(status.pm2Jlist.median), formatMs(status.pm2Jlist.p90), formatRatio(status.orchJson.median, status.pm2Jlist.median), '', ''],
    [`floors: \`node -e 0\` / \`orch --version\` (no daemon)`, formatMs(status.orchVersion.median), formatMs(status.orchVersion.p90), formatMs(status.nodeFloor.median), formatMs(status.nodeFloor.p90), '', '', ''],
    [`daemon idle RSS, ${steady.apps} apps`, mib(rss.orch.daemonMiB.median), mib(rss.orch.daemonMiB.p90), mib(rss.pm2.daemonMiB.median), mib(rss.pm2.daemonMiB.p90), formatRatio(rss.orch.daemonMiB.median, rss.pm2.daemonMiB.median), '≤ 1.00x', passFail(rssOk)],
    [`… an idle \`node\` process (the floor for both)`, mib(rss.node.daemonMiB.median), '', mib(rss.node.daemonMiB.median), '', '', '', ''],
    [`daemon helper processes (not apps), RSS`, mib(rss.orch.helpersMiB.median), '', mib(rss.pm2.helpersMiB.median), '', '', '', ''],
    [`the ${steady.apps} apps' RSS, total`, mib(rss.orch.appsMiB.median), '', mib(rss.pm2.appsMiB.median), '', formatRatio(rss.orch.appsMiB.median, rss.pm2.appsMiB.median), '', ''],
    [`${apply.apps} apps from nothing until every port answers`, formatMs(apply.orch.readyMs.median), formatMs(apply.orch.readyMs.p90), formatMs(apply.pm2.readyMs.median), formatMs(apply.pm2.readyMs.p90), formatRatio(apply.orch.readyMs.median, apply.pm2.readyMs.median), '≤ 1.00x', passFail(applyOk)],
    [`… the command itself returns (\`orch apply\` / \`pm2 start\`)`, formatMs(apply.orch.commandMs.median), formatMs(apply.orch.commandMs.p90), formatMs(apply.pm2.commandMs.median), formatMs(apply.pm2.commandMs.p90), formatRatio(apply.orch.commandMs.median, apply.pm2.commandMs.median), '', ''],
    [`… the first port answers`, formatMs(apply.orch.firstPortMs.median), formatMs(apply.orch.firstPortMs.p90), formatMs(apply.pm2.firstPortMs.median), formatMs(apply.pm2.firstPortMs.p90), '', '', ''],
  ];
  const table = markdownTable(['measure', 'orch median', 'orch p90', 'PM2 median', 'PM2 p90', 'orch / PM2', 'target', 'verdict'], rows);
  const notes = [
    `Status: ${STATUS_RUNS} runs of each command, round-robin together with \`node -e 0\` and \`orch --version\`, after 2 warm-up rounds; ` +
      `the floors row puts \`orch --version\` (CLI start-up, no daemon call) in the orch columns and \`node -e 0\` in the PM2 columns. ` +
      `Above the \`node -e 0\` floor: \`orch status\` ${formatMs(status.orchStatus.median - status.nodeFloor.median)}, ` +
      `\`pm2 ls\` ${formatMs(status.pm2Ls.median - status.nodeFloor.median)}.`,
    `RSS: VmRSS of the orch daemon and of PM2's God daemon, ${RSS_SAMPLES} samples ${RSS_INTERVAL_MS} ms apart after ${SETTLE_MS / 1000} s of settling; ` +
      `helpers are the daemon's descendants that are not apps (none means the daemon does its work in-process).`,
    `Apply: ${APPLY_RUNS} runs per tool, alternating who goes first, fresh ORCH_HOME/PM2_HOME each run, so both include starting their daemon ` +
      `(with 3 runs, p90 is the slowest). "Until every port answers" polls all ${apply.apps} ports with TCP connects from the instant the command starts; ` +
      `\`pm2 start\` returns once the processes are launched, \`orch apply\` once they are ready.`,
  ];
  return {
    name: 'Core loop vs PM2 (status, daemon RSS, apply 100 apps)',
    results: {
      status: { apps: steady.apps, runs: STATUS_RUNS, ...status, ratio: round(status.orchStatus.median / status.pm2Ls.median), jsonRatio: round(status.orchJson.median / status.pm2Jlist.median), target: 'orch status median ≤ 0.5 × pm2 ls median', pass: statusTargetOk },
      rss: { apps: steady.apps, settleMs: SETTLE_MS, ...rss, ratio: round(rss.orch.daemonMiB.median / rss.pm2.daemonMiB.median), target: 'orch daemon RSS ≤ PM2 daemon RSS', pass: rssOk },
      apply: { ...apply, ratio: round(apply.orch.readyMs.median / apply.pm2.readyMs.median), target: 'orch all-ready median ≤ PM2 all-ready median', pass: applyOk },
    },
    table: [table, ...notes].join('\n\n'),
  };
}

const round = (x) => Math.round(x * 100) / 100;
