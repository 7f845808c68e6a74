// Replacement of a crashed instance, orch against PM2 in the same run: `kill -9` of a long-running
// instance → a new pid exists, and → the new process answers HTTP on the app's port. Fork and
// cluster mode, each tool in its own temporary home, SPEC's default restart settings for orch
// (so every kill is the first crash of an instance that ran longer than min_uptime) and PM2's
// defaults (no restart delay).
//
// Each tool runs KILLS apps per mode, one instance each; every app is killed once, so no kill is
// a second crash within the window. The kills are interleaved (orch fork, PM2 fork, orch cluster,
// PM2 cluster, order rotated each round) so load drift hits them alike.
//   new pid: the killed process's parent (orch's daemon, its cluster primary, PM2's God daemon)
//            has a new child with the app's PORT in its environment (/proc/<ppid>/task/*/children).
//   serving: GET / on the app's port answers with a pid other than the killed one.
//   online:  the tool reports the new process online: orch's `ready` event (its events log in
//            ORCH_HOME/events/), PM2's `online` process event (its bus, through pm2's API); each
//            tool's own timestamp. PM2 says online at spawn (fork) or at the worker's start
//            (cluster), orch once its readiness passed (tcp in fork mode, `listening` in cluster).
// Targets: orch's medians ≤ PM2's, for new pid and serving in both modes.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { readdir, readFile, mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  findFreePorts,
  findPm2,
  formatMs,
  formatRatio,
  killProcesses,
  markdownTable,
  passFail,
  requireFile,
  skip,
  summarize,
  withOrchHome,
  withOrchSnapshot,
  withPm2,
  withTempDir,
} from './lib.mjs';

const KILLS = 30;
const MEASURE_TIMEOUT_MS = 10_000;
/** Longer than min_uptime (1s): each killed instance is a long-running one. */
const SETTLE_MS = 1500;

const SERVER_JS = `// Answers GET / with its pid, on $PORT (fork) or the shared cluster port.
const http = require('node:http');
http.createServer((req, res) => res.end(String(process.pid))).listen(Number(process.env.PORT));
`;

export async function run() {
  try {
    await readdir('/proc/self/task');
  } catch {
    skip('needs Linux /proc');
  }
  requireFile('dist/cli.cjs', 'orch is not built (run `npm run build`)');
  if (!findPm2()) skip('pm2 is not installed (it is a devDependency: run `npm install`)');
  return withOrchSnapshot((bin) =>
    withTempDir('replace', async (dir) => {
      try {
        const server = join(dir, 'server.js');
        await writeFile(server, SERVER_JS);
        return report(await measure(dir, server, bin));
      } finally {
        await killProcesses({ cmdlineContains: dir });
      }
    }),
  );
}

async function measure(dir, server, bin) {
  return withOrchHome(
    async (o) =>
      withPm2(async (p) => {
        const ports = await findFreePorts(4 * KILLS);
        const block = (k) => ports.slice(k * KILLS, (k + 1) * KILLS);
        const targets = {
          'orch fork': block(0),
          'pm2 fork': block(1),
          'orch cluster': block(2),
          'pm2 cluster': block(3),
        };
        const orchFile = join(dir, 'orch', 'ecosystem.yaml');
        await mkdir(join(dir, 'orch'), { recursive: true });
        await writeFile(orchFile, orchProject(server, targets['orch fork'], targets['orch cluster']));
        const pm2File = join(dir, 'pm2', 'ecosystem.config.cjs');
        await mkdir(join(dir, 'pm2'), { recursive: true });
        await writeFile(pm2File, pm2Project(dir, server, targets['pm2 fork'], targets['pm2 cluster']));
        await o.orch(['apply', orchFile], { timeout: 120_000 });
        await p.pm2(['start', pm2File]);
        const pm2Online = await watchPm2Online(p.env);
        for (const port of ports) await waitForAnswer(port, undefined, performance.now() + 30_000);
        await sleep(SETTLE_MS);

        const samples = Object.fromEntries(Object.keys(targets).map((t) => [t, { newPid: [], ready: [], online: [] }]));
        const labels = Object.keys(targets);
        try {
          for (let round = 0; round < KILLS; round++) {
            const order = labels.map((_, k) => labels[(k + round) % labels.length]);
            for (const label of order) {
              const port = targets[label][round];
              const app = `${label.split(' ')[1]}-${round}`;
              const killedAt = Date.now();
              const { newPidMs, readyMs } = await killOnce(port);
              const onlineAt = label.startsWith('orch')
                ? await orchReadyAfter(o.home, app, killedAt)
                : await pm2Online.after(app, killedAt);
              samples[label].newPid.push(newPidMs);
              samples[label].ready.push(readyMs);
              samples[label].online.push(onlineAt - killedAt);
            }
          }
        } finally {
          pm2Online.close();
        }
        return Object.fromEntries(
          Object.entries(samples).map(([label, s]) => [label, { newPidMs: summarize(s.newPid), readyMs: summarize(s.ready), onlineMs: summarize(s.online) }]),
        );
      }),
    { bin },
  );
}

/** Kills the instance serving `port` with SIGKILL; times until a new pid exists and until it answers. */
async function killOnce(port) {
  const old = await waitForAnswer(port, undefined, performance.now() + MEASURE_TIMEOUT_MS);
  const parent = await ppidOf(old);
  const before = new Set(await childrenOf(parent));
  const started = performance.now();
  const deadline = started + MEASURE_TIMEOUT_MS;
  process.kill(old, 'SIGKILL');
  const newPid = (async () => {
    for (;;) {
      for (const pid of await childrenOf(parent)) {
        if (before.has(pid) || pid === old) continue;
        // The environment, not the command line: PM2 starts a wrapper that retitles itself later,
        // and hands its cluster workers their env as JSON in pm2_env.
        const environ = await readFile(`/proc/${pid}/environ`, 'latin1').catch(() => '');
        if (environ.split('\0').includes(`PORT=${port}`) || environ.includes(`"PORT":"${port}"`)) return performance.now() - started;
      }
      if (performance.now() > deadline) throw new Error(`port ${port}: no new pid under ${parent} within ${MEASURE_TIMEOUT_MS} ms`);
      await sleep(1);
    }
  })();
  const ready = waitForAnswer(port, old, deadline).then(() => performance.now() - started);
  const [newPidMs, readyMs] = await Promise.all([newPid, ready]);
  return { newPidMs, readyMs };
}

/** When orch's events log shows the app's instance 0 `ready` at or after `since` (epoch ms). */
async function orchReadyAfter(home, app, since) {
  const deadline = Date.now() + MEASURE_TIMEOUT_MS;
  for (;;) {
    const text = await readFile(join(home, 'events', `${app}.jsonl`), 'utf8').catch(() => '');
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const e = JSON.parse(line);
      if (e.type === 'ready' && e.time >= since) return e.time;
    }
    if (Date.now() > deadline) throw new Error(`orch: no ready event of ${app} after the kill`);
    await sleep(5);
  }
}

/** PM2's `online` process events, from its bus (a helper process using pm2's API in PM2_HOME). */
async function watchPm2Online(env) {
  const script = `const pm2 = require(${JSON.stringify(join(findPm2(), '../..'))});
pm2.connect((err) => {
  if (err) throw err;
  pm2.launchBus((err, bus) => {
    if (err) throw err;
    bus.on('process:event', (p) => {
      if (p.event === 'online') console.log(JSON.stringify({ name: p.process.name, at: typeof p.at === 'number' ? p.at : Date.now() }));
    });
    console.log('"listening"');
  });
});`;
  const child = spawn(process.execPath, ['-e', script], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const seen = [];
  const lines = createInterface({ input: child.stdout });
  await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the pm2 bus helper exited (${code})`)));
    lines.on('line', (line) => {
      const event = JSON.parse(line);
      if (event === 'listening') resolve();
      else seen.push(event);
    });
  });
  return {
    async after(name, since) {
      const deadline = Date.now() + MEASURE_TIMEOUT_MS;
      for (;;) {
        const hit = seen.find((e) => e.name === name && e.at >= since);
        if (hit) return hit.at;
        if (Date.now() > deadline) throw new Error(`pm2: no online event of ${name} after the kill`);
        await sleep(5);
      }
    },
    close: () => child.kill('SIGKILL'),
  };
}

async function ppidOf(pid) {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

async function childrenOf(pid) {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => []);
  const texts = await Promise.all(tasks.map((t) => readFile(`/proc/${pid}/task/${t}/children`, 'utf8').catch(() => '')));
  return texts.flatMap((t) => t.trim().split(/\s+/).filter(Boolean).map(Number));
}

/**
 * Polls GET / until it answers with a pid other than `not`; returns that pid. A new request every
 * few ms without waiting for the last: in cluster mode a request the primary handed to the killed
 * worker hangs, and a request accepted while no worker lives waits in the primary's queue.
 */
function waitForAnswer(port, not, deadline) {
  return new Promise((resolve, reject) => {
    const inFlight = new Set();
    let done = false;
    const finish = (fn) => {
      done = true;
      clearInterval(timer);
      for (const req of inFlight) req.destroy();
      fn();
    };
    const attempt = () => {
      if (done) return;
      if (performance.now() > deadline) {
        finish(() => reject(new Error(`port ${port}: no answer${not === undefined ? '' : ` from a pid other than ${not}`}`)));
        return;
      }
      if (inFlight.size >= 50) return;
      const req = get(port, (pid) => {
        inFlight.delete(req);
        if (!done && pid !== undefined && pid !== not) finish(() => resolve(pid));
      });
      inFlight.add(req);
    };
    const timer = setInterval(attempt, 2);
    attempt();
  });
}

function get(port, callback) {
  const req = request({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 5000 }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (c) => (body += c));
    res.on('end', () => callback(Number(body) > 0 ? Number(body) : undefined));
    res.on('error', () => callback(undefined));
  });
  req.once('error', () => callback(undefined));
  req.once('timeout', () => req.destroy());
  req.end();
  return req;
}

function orchProject(server, forkPorts, clusterPorts) {
  const lines = ['version: 1', 'name: bench-replace', 'apps:'];
  forkPorts.forEach((port, i) => {
    lines.push(`  fork-${i}:`, `    run: [${JSON.stringify(process.execPath)}, ${JSON.stringify(server)}]`, `    port: ${port}`, '    ready: { type: tcp }');
  });
  clusterPorts.forEach((port, i) => {
    lines.push(`  cluster-${i}:`, `    run: [node, ${JSON.stringify(server)}]`, '    mode: cluster', '    instances: 1', `    port: ${port}`);
  });
  return `${lines.join('\n')}\n`;
}

function pm2Project(dir, server, forkPorts, clusterPorts) {
  const app = (name, port, mode) => ({ name, script: server, cwd: dir, exec_mode: mode, instances: 1, env: { PORT: String(port) } });
  const apps = [...forkPorts.map((port, i) => app(`fork-${i}`, port, 'fork')), ...clusterPorts.map((port, i) => app(`cluster-${i}`, port, 'cluster'))];
  return `module.exports = ${JSON.stringify({ apps }, null, 2)};\n`;
}

function report(results) {
  const rows = [];
  const verdicts = {};
  for (const mode of ['fork', 'cluster']) {
    const o = results[`orch ${mode}`];
    const p = results[`pm2 ${mode}`];
    for (const [key, what, held] of [
      ['newPidMs', 'new pid', true],
      ['readyMs', 'serving', true],
      ['onlineMs', 'reported online', false],
    ]) {
      const pass = o[key].median <= p[key].median;
      if (held) verdicts[`${mode} ${what}`] = pass;
      const target = held ? '≤ 1.00x' : '(not the same event)';
      rows.push([`${mode}: kill -9 → ${what}`, formatMs(o[key].median), formatMs(o[key].p90), formatMs(p[key].median), formatMs(p[key].p90), formatRatio(o[key].median, p[key].median), target, held ? passFail(pass) : '']);
    }
  }
  const table = markdownTable(['measure', 'orch median', 'orch p90', 'PM2 median', 'PM2 p90', 'orch / PM2', 'target', 'verdict'], rows);
  const note =
    `${KILLS} kills per row, interleaved with the other rows; each app (one instance) is killed once, after ${SETTLE_MS / 1000} s up ` +
    `(longer than min_uptime, so orch's free first restart applies; a second crash within the window would wait \`backoff.initial\`). ` +
    `"new pid": a new child of the killed process's parent has the app's PORT in its environment (/proc/<ppid>/task/*/children, polled every ms). ` +
    `"serving": GET / on the app's port answers from a pid other than the killed one. ` +
    `"reported online": each tool's own timestamp of its online event (orch: readiness passed; PM2: the process started, before it listens). ` +
    `orch's defaults; PM2's defaults (no restart delay).`;
  return { name: 'Replacement after kill -9 vs PM2 (fork, cluster)', results: { kills: KILLS, ...results, verdicts }, table: `${table}\n\n${note}` };
}
