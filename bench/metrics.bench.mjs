// What the metrics cost `orch status`, in one run: two daemons with the same 10 fork apps, one
// without metrics, one with ORCH_METRICS_ADDR and a scraper fetching GET /metrics every second
// (as Prometheus would, scrape_interval 1s). `orch status` is timed against each, interleaved
// round by round (off, on, off, on …) so machine drift hits both alike. Then each daemon's RSS,
// and the cost of one scrape itself. Target: median(status, metrics on) ≤ 1.15 × median(off).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findFreePorts, formatMs, formatRatio, markdownTable, passFail, readRssKiB, summarize, withOrchHome, withOrchSnapshot, withTempDir } from './lib.mjs';

const APPS = 10;
const ROUNDS = 20;
const TARGET = 1.15;

const elapsedMs = async (fn) => {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
};

/** Fetches `url` every second until stopped; the time of each scrape. */
const startScraper = (url) => {
  const times = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      times.push(await elapsedMs(async () => (await fetch(url)).text()));
      await sleep(1000);
    }
  })();
  return { times, stop: async () => ((stopped = true), await loop) };
};

const writeProject = async (dir, name) => {
  await writeFile(join(dir, 'app.js'), "setInterval(() => {}, 1000);\nprocess.on('SIGTERM', () => process.exit(0));\n");
  const apps = Array.from({ length: APPS }, (_, k) => `  ${name}${k}:\n    run: [node, app.js]\n    ready: { type: none, delay: 0ms }\n`).join('');
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, `version: 1\nname: ${name}\napps:\n${apps}`);
  return file;
};

export async function run() {
  return withOrchSnapshot((bin) =>
    withTempDir('metrics', (dir) =>
      withOrchHome(
        async (off) =>
          withOrchHome(
            async (on) => {
              const [port] = await findFreePorts(1);
              const url = `http://127.0.0.1:${port}/metrics`;
              await off.orch(['apply', await writeProject(dir, 'plain')], { cwd: dir });
              await on.orch(['apply', await writeProject(dir, 'scraped')], { cwd: dir, env: { ...on.env, ORCH_METRICS_ADDR: `127.0.0.1:${port}` } });
              const pidOf = async (o) => JSON.parse((await o.orch(['daemon', 'status', '--output', 'json'])).stdout).pid;
              const [offPid, onPid] = [await pidOf(off), await pidOf(on)];
              const scraper = startScraper(url);
              try {
                await sleep(3000);
                const offMs = [];
                const onMs = [];
                for (let round = 0; round < ROUNDS + 2; round++) {
                  const a = await elapsedMs(() => off.orch(['status']));
                  const b = await elapsedMs(() => on.orch(['status']));
                  if (round >= 2) {
                    offMs.push(a);
                    onMs.push(b);
                  }
                }
                const rss = { off: await readRssKiB(offPid), on: await readRssKiB(onPid) };
                const o = summarize(offMs);
                const m = summarize(onMs);
                const s = summarize(scraper.times.slice(1));
                const ratio = m.median / o.median;
                return {
                  name: "orch status with metrics scraped every second vs without",
                  results: { apps: APPS, rounds: ROUNDS, statusOffMs: o, statusOnMs: m, ratio: Math.round(ratio * 100) / 100, target: TARGET, pass: ratio <= TARGET, scrapeMs: s, rssKiB: rss },
                  table: markdownTable(
                    ['measure', 'metrics off', 'metrics on, scraped 1/s', 'ratio', `target ≤ ${TARGET}x`],
                    [
                      ['orch status, median', formatMs(o.median), formatMs(m.median), formatRatio(m.median, o.median), passFail(ratio <= TARGET)],
                      ['orch status, p90', formatMs(o.p90), formatMs(m.p90), formatRatio(m.p90, o.p90), ''],
                      ['daemon RSS', `${(rss.off / 1024).toFixed(1)} MiB`, `${(rss.on / 1024).toFixed(1)} MiB`, formatRatio(rss.on, rss.off), ''],
                      ['one scrape (10 apps), median', '', formatMs(s.median), '', ''],
                    ],
                  ),
                };
              } finally {
                await scraper.stop();
              }
            },
            { bin },
          ),
        { bin },
      ),
    ),
  );
}
