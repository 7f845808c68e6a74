// The dashboard's cost, in one run: 10 fork apps, `orch status` timed with no page connected
// and with one "page" connected (a client of the same two streams the page reads: the live
// feed and one app's log), interleaved round by round (closed, open, closed, open …) so machine
// drift hits both alike; then the daemon's RSS with the page connected for 15 s against without.
// The page is simulated by fetch() rather than a browser: what is measured is the daemon's side.
// Targets: median(status, open) ≤ 1.15 × median(status, closed); RSS open ≤ closed + 16 MiB.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatMs, formatRatio, markdownTable, passFail, readRssKiB, summarize, withOrchHome, withOrchSnapshot, withTempDir } from './lib.mjs';

const APPS = 10;
const ROUNDS = 20;

/** Connects like the page: the live feed and one app's log, read until `close()`. */
const openPage = async (url, app) => {
  const token = url.slice(url.indexOf('#token=') + 7);
  const origin = new URL(url).origin;
  const abort = new AbortController();
  const headers = { authorization: `Bearer ${token}` };
  let ticked;
  const firstTick = new Promise((resolve) => (ticked = resolve));
  const drain = async (path, onChunk) => {
    const res = await fetch(`${origin}${path}`, { headers, signal: abort.signal });
    for await (const chunk of res.body) onChunk(chunk);
  };
  const reading = Promise.all([
    drain('/api/stream', () => ticked()),
    drain(`/api/apps/${app}/logs`, () => {}),
  ]).catch(() => {});
  await firstTick;
  return async () => {
    abort.abort();
    await reading;
  };
};

export async function run() {
  return withOrchSnapshot((bin) =>
    withTempDir('dashboard', (dir) =>
      withOrchHome(
        async ({ orch }) => {
          await writeFile(join(dir, 'app.js'), "setInterval(() => console.log('tick', Date.now()), 500);\nprocess.on('SIGTERM', () => process.exit(0));\n");
          const apps = Array.from({ length: APPS }, (_, k) => `  app${k}:\n    run: [node, app.js]\n    ready: { type: none, delay: 0ms }\n`).join('');
          await writeFile(join(dir, 'ecosystem.yaml'), `version: 1\nname: dashbench\napps:\n${apps}`);
          await orch(['apply', join(dir, 'ecosystem.yaml')], { cwd: dir });
          const daemonPid = JSON.parse((await orch(['daemon', 'status', '--output', 'json'])).stdout).pid;
          const { stdout } = await orch(['dashboard']);
          const url = stdout.trim();

          // Let start-up settle, then the closed-page RSS.
          await sleep(3000);
          const rssClosed = [];
          for (let k = 0; k < 5; k++, await sleep(200)) rssClosed.push(await readRssKiB(daemonPid));

          const closed = [];
          const open = [];
          for (let round = 0; round < ROUNDS + 2; round++) {
            let t = process.hrtime.bigint();
            await orch(['status']);
            const c = Number(process.hrtime.bigint() - t) / 1e6;
            const close = await openPage(url, 'app0');
            t = process.hrtime.bigint();
            await orch(['status']);
            const o = Number(process.hrtime.bigint() - t) / 1e6;
            await close();
            if (round >= 2) {
              closed.push(c);
              open.push(o);
            }
          }

          const close = await openPage(url, 'app0');
          await sleep(15_000);
          const rssOpen = [];
          for (let k = 0; k < 5; k++, await sleep(200)) rssOpen.push(await readRssKiB(daemonPid));
          await close();

          const c = summarize(closed);
          const o = summarize(open);
          const rc = summarize(rssClosed);
          const ro = summarize(rssOpen);
          const ratio = o.median / c.median;
          const rssGrowthMiB = (ro.median - rc.median) / 1024;
          const results = {
            apps: APPS,
            status: { closed: c, open: o, ratio: Math.round(ratio * 100) / 100, pass: ratio <= 1.15 },
            rssKiB: { closed: rc, open: ro, growthMiB: Math.round(rssGrowthMiB * 10) / 10, pass: rssGrowthMiB <= 16 },
          };
          const table = [
            markdownTable(
              ['orch status, 10 apps', 'median', 'p90', 'open / closed', 'target ≤ 1.15x'],
              [
                ['no page connected', formatMs(c.median), formatMs(c.p90), '', ''],
                ['a page connected (live feed + one log)', formatMs(o.median), formatMs(o.p90), formatRatio(o.median, c.median), passFail(results.status.pass)],
              ],
            ),
            '',
            markdownTable(
              ['daemon RSS', 'median', 'growth', 'target ≤ +16 MiB'],
              [
                ['no page connected', `${(rc.median / 1024).toFixed(1)} MiB`, '', ''],
                ['a page connected for 15 s', `${(ro.median / 1024).toFixed(1)} MiB`, `${rssGrowthMiB >= 0 ? '+' : ''}${rssGrowthMiB.toFixed(1)} MiB`, passFail(results.rssKiB.pass)],
              ],
            ),
          ].join('\n');
          return { name: 'dashboard', results, table };
        },
        { bin },
      ),
    ),
  );
}
