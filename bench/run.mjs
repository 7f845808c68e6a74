// Runs the benchmarks and records their results.
//
//   node bench/run.mjs              every bench/*.bench.mjs, in name order
//   node bench/run.mjs validate     only bench/validate.bench.mjs (several names allowed)
//   node bench/run.mjs --list       names only
//
// A bench module exports `async function run(): Promise<{ name, results, table }>`: `results` is
// plain JSON for bench/results/latest.json, `table` is markdown for bench/results/latest.md. A
// bench that throws BenchSkipped (lib.mjs) is reported as skipped; any other error as failed, and
// the run goes on with the next bench. Benches not run this time keep their previous entry.
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { arch, cpus, loadavg, platform, release, totalmem } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './lib.mjs';

const benchDir = join(repoRoot, 'bench');
const resultsDir = join(benchDir, 'results');
const suffix = '.bench.mjs';

const available = readdirSync(benchDir)
  .filter((f) => f.endsWith(suffix))
  .map((f) => basename(f, suffix))
  .sort();

const argv = process.argv.slice(2);
if (argv.includes('--list')) {
  console.log(available.join('\n'));
  process.exit(0);
}
const wanted = argv.map((a) => basename(a).replace(/\.bench\.mjs$/, ''));
const unknown = wanted.filter((w) => !available.includes(w));
if (unknown.length > 0) {
  console.error(`unknown bench: ${unknown.join(', ')} (have: ${available.join(', ')})`);
  process.exit(2);
}
const selected = wanted.length > 0 ? wanted : available;

const machine = describeMachine();
console.log(`orch bench: ${selected.join(', ')}\n${machine.summary}\n`);

const entries = {};
for (const id of selected) {
  const started = Date.now();
  const entry = await runOne(id);
  entries[id] = { ...entry, date: new Date().toISOString(), durationMs: Date.now() - started };
  console.log(`## ${entries[id].name} (${id}) — ${entries[id].status}, ${(entries[id].durationMs / 1000).toFixed(1)} s`);
  console.log(`${entries[id].table}\n`);
}

const previous = await readPrevious();
const merged = { ...previous, ...entries };
const report = {
  date: new Date().toISOString(),
  machine: machine.facts,
  benches: Object.fromEntries(Object.keys(merged).sort().map((id) => [id, merged[id]])),
};
await mkdir(resultsDir, { recursive: true });
await writeAtomically(join(resultsDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
await writeAtomically(join(resultsDir, 'latest.md'), renderMarkdown(report, machine.summary, Object.keys(entries)));
console.log(`wrote bench/results/latest.md and bench/results/latest.json`);

if (Object.values(entries).some((e) => e.status === 'failed')) process.exitCode = 1;

async function runOne(id) {
  try {
    const module = await import(pathToFileURL(join(benchDir, `${id}${suffix}`)).href);
    if (typeof module.run !== 'function') throw new Error(`${id}${suffix} does not export run()`);
    const { name = id, results = {}, table = '' } = await module.run();
    return { name, status: 'ok', results, table };
  } catch (error) {
    if (error?.name === 'BenchSkipped') {
      return { name: id, status: 'skipped', reason: error.message, results: {}, table: `skipped: ${error.message}` };
    }
    console.error(error);
    const reason = error instanceof Error ? error.message : String(error);
    return { name: id, status: 'failed', reason, results: {}, table: `failed: ${reason.split('\n')[0]}` };
  }
}

async function readPrevious() {
  const path = join(resultsDir, 'latest.json');
  if (!existsSync(path)) return {};
  try {
    return JSON.parse(await readFile(path, 'utf8')).benches ?? {};
  } catch {
    return {};
  }
}

function describeMachine() {
  const cpuList = cpus();
  const facts = {
    node: process.version,
    platform: `${platform()} ${release()} ${arch()}`,
    cpu: cpuList[0]?.model.trim() ?? 'unknown',
    cores: cpuList.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    loadavg: loadavg().map((l) => Math.round(l * 100) / 100),
  };
  const summary =
    `node ${facts.node}, ${facts.platform}, ${facts.cores} cores (${facts.cpu}), ` +
    `${facts.memoryGiB} GiB, load ${facts.loadavg.join(' ')}`;
  return { facts, summary };
}

function renderMarkdown(report, machineSummary, ranNow) {
  const lines = [
    '# orch benchmarks',
    '',
    `Last run: ${report.date} — ${machineSummary}.`,
    '',
    'Medians of interleaved runs on a shared, noisy machine: compare ratios, not absolute times.',
    'Regenerate with `npm run bench` (or `node bench/run.mjs <name>` for one bench).',
    '',
  ];
  for (const [id, entry] of Object.entries(report.benches)) {
    const when = ranNow.includes(id) ? '' : ` (from an earlier run, ${entry.date})`;
    lines.push(`## ${entry.name}${when}`, '', entry.table, '');
  }
  return lines.join('\n');
}

async function writeAtomically(path, text) {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}
