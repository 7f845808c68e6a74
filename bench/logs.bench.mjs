// Log capture under a flood, from the issue "logs": one app writes LINES numbered lines ("line 1"
// … "line N", one write each, as fast as its stdout takes them; test/fixtures/apps/spam.js),
// under orch and under PM2 in the same run, rounds alternating who goes first.
//   throughput: N / (time from the start command until the last line is in the log file)
//   lost: numbers missing from the log file(s), plus numbers seen twice (orch: every rotated
//         file too, default rotation settings; PM2: ~/.pm2/logs/<app>-out.log)
// Targets: orch loses no line; orch's throughput is at least PM2's.
import { open, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatRatio, markdownTable, median, passFail, repoRoot, withOrchHome, withPm2 } from './lib.mjs';

const LINES = 500_000;
const ROUNDS = 9;
const APP = 'spam';
const DEADLINE_MS = 120_000;
const spam = join(repoRoot, 'test/fixtures/apps/spam.js');

export async function run() {
  const orch = [];
  const pm2 = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate who goes first, so drift in machine load hits both alike. Nine rounds: with three,
    // the ratio read 0.92x to 1.18x over four runs of the same two builds.
    const order = round % 2 === 0 ? [runOrch, runPm2] : [runPm2, runOrch];
    for (const one of order) (one === runOrch ? orch : pm2).push(await one());
  }
  const summary = (runs) => ({
    linesPerSecond: Math.round(median(runs.map((r) => r.linesPerSecond))),
    seconds: Math.round(median(runs.map((r) => r.ms))) / 1000,
    lost: Math.max(...runs.map((r) => r.missing)),
    duplicated: Math.max(...runs.map((r) => r.duplicated)),
    reordered: Math.max(...runs.map((r) => r.reordered)),
    files: Math.max(...runs.map((r) => r.files)),
    runs,
  });
  const o = summary(orch);
  const p = summary(pm2);
  const rows = [
    ['lines per second captured (median)', o.linesPerSecond.toLocaleString('en'), p.linesPerSecond.toLocaleString('en'), formatRatio(o.linesPerSecond, p.linesPerSecond), '≥ 1.00x', passFail(o.linesPerSecond >= p.linesPerSecond)],
    ['… seconds from the start command to the last line', o.seconds, p.seconds, '', '', ''],
    ['lines lost (worst run)', o.lost, p.lost, '', 'orch: 0', passFail(o.lost === 0)],
    ['lines duplicated / out of order (worst run)', `${o.duplicated} / ${o.reordered}`, `${p.duplicated} / ${p.reordered}`, '', 'orch: 0', passFail(o.duplicated === 0 && o.reordered === 0)],
    ['log files the lines were spread over', o.files, p.files, '', '', ''],
  ];
  const table = markdownTable(['measure', 'orch', 'PM2', 'orch / PM2', 'target', 'verdict'], rows);
  const note =
    `${LINES.toLocaleString('en')} lines of \`spam.js\`, ${ROUNDS} rounds per tool, fresh ORCH_HOME / PM2_HOME each round, daemons started before the clock. ` +
    'orch: default rotation (10M, keep 5), every line timestamped and instance-tagged; PM2: `pm2 start --no-autorestart`, default log options (no timestamps, no rotation).';
  return {
    name: 'Log capture under a flood vs PM2',
    results: { lines: LINES, rounds: ROUNDS, orch: o, pm2: p, pass: o.lost === 0 && o.duplicated === 0 && o.linesPerSecond >= p.linesPerSecond },
    table: `${table}\n\n${note}`,
  };
}

async function runOrch() {
  return withOrchHome(async ({ home, orch }) => {
    const file = join(home, 'ecosystem.yaml');
    await writeFile(
      file,
      `version: 1\nname: logbench\napps:\n  ${APP}:\n    run: [node, ${spam}, '${LINES}']\n    restart: { policy: never }\n    ready: { type: none, delay: 0ms }\n`,
    );
    await orch(['daemon', 'start']);
    const logs = join(home, 'logs');
    const started = performance.now();
    await orch(['apply', file]);
    await waitForLastLine(join(logs, `${APP}.log`));
    const ms = performance.now() - started;
    const files = (await readdir(logs)).filter((f) => f === `${APP}.log` || f.startsWith(`${APP}.log.`));
    // Oldest first: <app>.log.5 … .1, then the live file.
    const ordered = files.map((f) => ({ f, g: Number(f.slice(APP.length + 5) || 0) })).sort((a, b) => b.g - a.g);
    const texts = await Promise.all(ordered.map(({ f }) => readFile(join(logs, f), 'utf8')));
    return { ms, linesPerSecond: (LINES / ms) * 1000, files: files.length, ...countLines(texts) };
  });
}

async function runPm2() {
  return withPm2(async ({ home, pm2 }) => {
    await pm2(['ping']);
    const out = join(home, 'logs', `${APP}-out.log`);
    const started = performance.now();
    await pm2(['start', spam, '--name', APP, '--no-autorestart', '--', String(LINES)]);
    await waitForLastLine(out);
    const ms = performance.now() - started;
    return { ms, linesPerSecond: (LINES / ms) * 1000, files: 1, ...countLines([await readFile(out, 'utf8')]) };
  });
}

/** Polls the file's last bytes until they end with the last line (or the deadline passes). */
async function waitForLastLine(path) {
  const wanted = Buffer.from(`line ${LINES}\n`);
  const deadline = performance.now() + DEADLINE_MS;
  while (performance.now() < deadline) {
    const handle = await open(path, 'r').catch(() => undefined);
    if (handle !== undefined) {
      try {
        const { size } = await handle.stat();
        const tail = Buffer.alloc(Math.min(size, wanted.length));
        await handle.read(tail, 0, tail.length, size - tail.length);
        if (tail.equals(wanted)) return;
      } finally {
        await handle.close();
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`the last line never reached ${path} within ${DEADLINE_MS} ms`);
}

/** Missing, duplicated and out-of-order numbers among every "line N" of the texts, in order. */
function countLines(texts) {
  const seen = new Uint8Array(LINES + 1);
  let duplicated = 0;
  let reordered = 0;
  let previous = 0;
  for (const text of texts) {
    for (const line of text.split('\n')) {
      const at = line.lastIndexOf('line ');
      if (at === -1) continue;
      const n = Number(line.slice(at + 5));
      if (!Number.isInteger(n) || n < 1 || n > LINES) continue;
      if (seen[n] === 1) duplicated++;
      seen[n] = 1;
      if (n < previous) reordered++;
      previous = n;
    }
  }
  let missing = 0;
  for (let n = 1; n <= LINES; n++) if (seen[n] === 0) missing++;
  return { missing, duplicated, reordered };
}
