// Watch mode against PM2: the time from saving an app's source file to that app serving the new
// code, and how many requests fail meanwhile. The same small HTTP app (2 instances sharing one
// port) runs under `orch apply --watch` (cluster mode: a watched change is a rolling reload) and
// under `pm2 start -i 2 --watch` (PM2 cluster mode: a watched change is a restart), both driven
// through their own CLIs in isolated homes. Runs alternate between the two.
// Per run: a request loop (CONCURRENCY clients, a new connection per request) runs; the file is
// rewritten with a new version; we poll until a response carries it (that time is the result),
// keep the loop going for SETTLE_MS more, and count every failed request in that window.
// Debounces are each tool's default (orch: 200 ms; PM2: none), reported as they are.
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { findFreePorts, findPm2, formatMs, formatRatio, killPids, markdownTable, skip, summarize, withOrchHome, withOrchSnapshot, withPm2, withTempDir } from './lib.mjs';

const RUNS = 5;
const CONCURRENCY = 4;
const SETTLE_MS = 1500;
const SERVE_TIMEOUT_MS = 30_000;

const appSource = (version) => `// The watch bench's app: answers with its version.
const http = require('node:http');
const server = http.createServer((req, res) => res.end('${version}'));
server.listen(Number(process.env.PORT));
process.on('SIGINT', () => server.close(() => process.exit(0)));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

const ecosystem = (port) => `version: 1
name: watch-bench
apps:
  web:
    run: node app.js
    mode: cluster
    instances: 2
    port: ${port}
    ready: { type: listening, timeout: 10s }
    watch: { paths: [app.js] }
`;

export async function run() {
  if (!findPm2()) skip('pm2 is not installed (it is a devDependency: run `npm install`)');
  const [orchPort, pm2Port] = await findFreePorts(2);
  return withOrchSnapshot((bin) =>
    withOrchHome(
      ({ env: orchEnv }) =>
        withPm2(({ pm2, env: pm2Env }) =>
          withTempDir('watch-bench', async (dir) => {
            const orchDir = join(dir, 'orch');
            const pm2Dir = join(dir, 'pm2');
            await mkdir(orchDir);
            await mkdir(pm2Dir);
            await writeFile(join(orchDir, 'app.js'), appSource('orch-0'));
            await writeFile(join(orchDir, 'ecosystem.yaml'), ecosystem(orchPort));
            await writeFile(join(pm2Dir, 'app.js'), appSource('pm2-0'));

            const watcher = spawn(process.execPath, [bin, 'apply', '--watch'], { cwd: orchDir, env: orchEnv, stdio: ['ignore', 'pipe', 'pipe'] });
            try {
              const lines = [];
              for (const s of [watcher.stdout, watcher.stderr]) createInterface({ input: s }).on('line', (l) => lines.push(l));
              await until(() => lines.some((l) => /watching ecosystem\.yaml/.test(l)), 30_000, () => `orch apply --watch did not start:\n${lines.join('\n')}`);
              await pm2(['start', join(pm2Dir, 'app.js'), '--name', 'web', '-i', '2', '--watch', '--cwd', pm2Dir], { env: { ...pm2Env, PORT: String(pm2Port) } });
              await until(async () => (await get(pm2Port).catch(() => undefined))?.body === 'pm2-0', 30_000, () => 'pm2 app did not serve');

              const samples = { orch: [], pm2: [] };
              for (let i = 1; i <= RUNS; i++) {
                samples.orch.push(await trial(join(orchDir, 'app.js'), orchPort, `orch-${i}`));
                samples.pm2.push(await trial(join(pm2Dir, 'app.js'), pm2Port, `pm2-${i}`));
              }
              const reloads = lines.filter((l) => /changed: reloading$/.test(l)).length;
              return report(samples, reloads);
            } finally {
              killPids([watcher.pid]);
            }
          }),
        ),
      { bin },
    ),
  );
}

/** One save: ms until the new version is served, and the requests that failed around it. */
async function trial(file, port, version) {
  let stop = false;
  const counts = { ok: 0, failed: 0 };
  const loop = async () => {
    while (!stop) {
      try {
        const { status } = await get(port);
        counts[status === 200 ? 'ok' : 'failed']++;
      } catch {
        counts.failed++;
      }
    }
  };
  const loops = Array.from({ length: CONCURRENCY }, loop);
  await sleep(200);
  const saved = performance.now();
  await writeFile(file, appSource(version));
  let served;
  try {
    await until(async () => (await get(port).catch(() => undefined))?.body === version, SERVE_TIMEOUT_MS, () => `${version} never served`, 5);
    served = performance.now() - saved;
    await sleep(SETTLE_MS);
  } finally {
    stop = true;
    await Promise.all(loops);
  }
  return { ms: served, ...counts };
}

function report(samples, orchReloads) {
  const row = (label, mode, s) => {
    const sum = summarize(s.map((x) => x.ms));
    const failed = s.reduce((n, x) => n + x.failed, 0);
    const total = s.reduce((n, x) => n + x.ok + x.failed, 0);
    return { label, mode, ...sum, failed, requests: total, failedPerRun: s.map((x) => x.failed) };
  };
  const orch = row('orch apply --watch', 'cluster, 2 instances, rolling reload, debounce 200 ms', samples.orch);
  const pm2 = row('pm2 --watch', 'cluster, 2 instances, restart on change', samples.pm2);
  const table = [
    markdownTable(
      ['watcher', 'mode', 'runs', 'save → new code (median)', 'p90', 'min', 'max', 'failed requests (per run)', 'requests'],
      [orch, pm2].map((r) => [r.label, r.mode, r.n, formatMs(r.median), formatMs(r.p90), formatMs(r.min), formatMs(r.max), `${r.failed} (${r.failedPerRun.join(', ')})`, r.requests]),
    ),
    '',
    `orch / PM2 median: ${formatRatio(orch.median, pm2.median)}. orch reloads seen by its watcher: ${orchReloads} for ${samples.orch.length} saves. ` +
      `Requests: ${CONCURRENCY} concurrent clients, a new connection each, from 200 ms before the save to ${SETTLE_MS} ms after the new code answered. ` +
      'A refused connection fails at once and the client retries, so failed counts measure how long nothing answered, not users affected.',
  ].join('\n');
  return { name: 'watch', results: { orch, pm2, orchReloads, runs: RUNS, concurrency: CONCURRENCY, settleMs: SETTLE_MS }, table };
}

const get = (port) =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false, headers: { connection: 'close' }, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });

async function until(fn, timeoutMs, what, intervalMs = 25) {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what()}`);
    await sleep(intervalMs);
  }
}
