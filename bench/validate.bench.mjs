// Validation cost, from the issue "Foundation":
//   (a) loadEcosystem on a generated 500-app file, in-process (parse, schema, semantics, normalize);
//   (b) `orch validate <small file>` and `orch --version` as whole commands against `node -e 0`.
//       Target: CLI start-up cost at most 60 ms above `node -e 0`.
// Each part skips on its own when its prerequisites are missing.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  BenchSkipped,
  formatDelta,
  formatMs,
  formatRatio,
  markdownTable,
  median,
  orchBin,
  passFail,
  repoRoot,
  requireFile,
  skip,
  summarize,
  timeFunction,
  timeInterleaved,
  timeOnce,
  withTempDir,
} from './lib.mjs';

const APPS = 500;
const LOAD_RUNS = 20;
const CLI_RUNS = 30;
const STARTUP_TARGET_MS = 60;
const SMALL_FILE = 'examples/cluster-http/ecosystem.yaml';

export async function run() {
  const load = await attempt(benchLoad);
  const cli = await attempt(benchCli);
  if (load.skipped && cli.skipped) skip(`${load.skipped}; ${cli.skipped}`);

  const rows = [];
  if (load.skipped) rows.push([`loadEcosystem, ${APPS} apps`, `skipped: ${load.skipped}`, '', '', '', '', '']);
  else {
    const { firstCallMs, warm, parseOnly, fileBytes, via } = load;
    rows.push([`YAML parseDocument alone, ${APPS} apps (${Math.round(fileBytes / 1024)} KiB): the floor`, formatMs(parseOnly.median), formatMs(parseOnly.p90), parseOnly.n, '', '', '']);
    rows.push([`loadEcosystem, ${APPS} apps, first call`, formatMs(firstCallMs), '', 1, '', '', '']);
    rows.push([`loadEcosystem, ${APPS} apps, warm (${via})`, formatMs(warm.median), formatMs(warm.p90), warm.n, `${formatRatio(warm.median, parseOnly.median)} of parse`, '', '']);
  }
  if (cli.skipped) rows.push(['orch CLI start-up', `skipped: ${cli.skipped}`, '', '', '', '', '']);
  else {
    const base = cli.summary.node.median;
    rows.push(['`node -e 0`', formatMs(base), formatMs(cli.summary.node.p90), cli.summary.node.n, '1.00x', '', '']);
    for (const [label, title] of [
      ['version', '`orch --version`'],
      ['validate', `\`orch validate ${SMALL_FILE}\``],
    ]) {
      const s = cli.summary[label];
      const overhead = cli.overheadMs[label];
      rows.push([
        title,
        formatMs(s.median),
        formatMs(s.p90),
        s.n,
        `${formatDelta(overhead)} (${formatRatio(s.median, base)})`,
        `≤ +${STARTUP_TARGET_MS} ms`,
        passFail(overhead <= STARTUP_TARGET_MS),
      ]);
    }
  }

  const table = markdownTable(['measure', 'median', 'p90', 'n', 'vs baseline', 'target', 'verdict'], rows);
  const notes = [];
  if (!cli.skipped) {
    notes.push(
      `Overhead = median(command) − median(\`node -e 0\`), runs interleaved; ` +
        `median of per-round differences: validate ${formatDelta(cli.pairedOverheadMs.validate)}, ` +
        `--version ${formatDelta(cli.pairedOverheadMs.version)}.`,
    );
  }
  return {
    name: 'Validation and CLI start-up',
    results: {
      load: load.skipped ? { skipped: load.skipped } : { apps: APPS, fileBytes: load.fileBytes, via: load.via, firstCallMs: round(load.firstCallMs), warm: load.warm, parseOnly: load.parseOnly },
      cli: cli.skipped
        ? { skipped: cli.skipped }
        : {
            smallFile: SMALL_FILE,
            ...cli.summary,
            overheadMs: cli.overheadMs,
            pairedOverheadMs: cli.pairedOverheadMs,
            targetMs: STARTUP_TARGET_MS,
            pass: cli.overheadMs.validate <= STARTUP_TARGET_MS && cli.overheadMs.version <= STARTUP_TARGET_MS,
          },
    },
    table: [table, ...notes].join('\n\n'),
  };
}

/** Runs one part; a BenchSkipped becomes `{ skipped: reason }`, anything else propagates. */
async function attempt(part) {
  try {
    return await part();
  } catch (error) {
    if (error instanceof BenchSkipped) return { skipped: error.message };
    throw error;
  }
}

// ---------------------------------------------------------------- (a) in-process load

async function benchLoad() {
  const { loadEcosystem, via } = await importLoader();
  return withTempDir('validate', async (dir) => {
    const file = await writeProject(dir, APPS);
    const env = { ...process.env };
    const once = async () => {
      const result = await loadEcosystem(file, { env });
      if (!result.ok) {
        const first = result.errors.slice(0, 5).map((d) => `${d.path}: ${d.message}`).join('; ');
        throw new Error(`the generated ${APPS}-app file does not validate (${result.errors.length} errors): ${first}`);
      }
      if (result.desired.apps.length !== APPS) throw new Error(`loaded ${result.desired.apps.length} apps, expected ${APPS}`);
    };
    const started = process.hrtime.bigint();
    await once();
    const firstCallMs = Number(process.hrtime.bigint() - started) / 1e6;
    const warm = summarize(await timeFunction(once, { runs: LOAD_RUNS, warmup: 3 }));
    const { size } = await stat(file);
    // The floor: parsing the YAML with positions alone, which any loader must do.
    const { parseDocument, LineCounter } = await import('yaml');
    const text = await readFile(file, 'utf8');
    const parseOnly = summarize(
      await timeFunction(() => parseDocument(text, { lineCounter: new LineCounter() }), { runs: LOAD_RUNS, warmup: 3 }),
    );
    return { firstCallMs, warm, parseOnly, fileBytes: size, via };
  });
}

/**
 * The loader as it ships: a dist/ bundle exporting loadEcosystem if the build makes one, else
 * src/config/load.ts bundled now with the build's esbuild settings.
 */
async function importLoader() {
  for (const candidate of ['dist/config.js', 'dist/load.js']) {
    const path = join(repoRoot, candidate);
    if (!existsSync(path)) continue;
    const module = await import(pathToFileURL(path).href);
    if (typeof module.loadEcosystem === 'function') return { loadEcosystem: module.loadEcosystem, via: candidate };
  }
  const entry = requireFile('src/config/load.ts', 'the loader is not written yet');
  requireFile('src/generated/validate-ecosystem.cjs', 'the schema validator is not generated (run `npm run build`)');
  const { build } = await import('esbuild');
  // Under node_modules/.cache so nothing lands in the work tree, and bare imports still resolve.
  const outDir = join(repoRoot, 'node_modules/.cache/orch-bench');
  await mkdir(outDir, { recursive: true });
  const outfile = join(outDir, `load-${process.pid}.mjs`);
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    banner: { js: "import { createRequire as __orchCreateRequire } from 'node:module'; const require = __orchCreateRequire(import.meta.url);" },
  });
  const module = await import(pathToFileURL(outfile).href).finally(() => rm(outfile, { force: true }));
  if (typeof module.loadEcosystem !== 'function') skip('src/config/load.ts does not export loadEcosystem');
  return { loadEcosystem: module.loadEcosystem, via: 'src/config/load.ts bundled by esbuild' };
}

/**
 * Writes a project with `count` apps into `dir` and returns the ecosystem file's path. Varied on
 * purpose: three modes, ports, env and env_file, `${VAR}` interpolation, defaults, overrides
 * and depends_on chains ten apps long.
 */
async function writeProject(dir, count) {
  const groups = 10;
  for (let g = 0; g < groups; g++) {
    const cwd = join(dir, 'services', `group-${g}`);
    await mkdir(cwd, { recursive: true });
    await writeFile(join(cwd, 'server.js'), 'setInterval(() => {}, 1000);\n');
    await writeFile(join(cwd, 'server.py'), 'import time\nwhile True: time.sleep(1)\n');
    await writeFile(join(dir, `group-${g}.env`), Array.from({ length: 8 }, (_, k) => `GROUP_${g}_KEY_${k}=value-${k}`).join('\n') + '\n');
  }
  const lines = [
    '# yaml-language-server: $schema=./schemas/ecosystem.schema.json',
    'version: 1',
    'name: bench',
    'defaults:',
    '  shutdown: { signal: SIGTERM, timeout: 5s }',
    '  restart:',
    '    policy: always',
    '    backoff: { initial: 100ms, max: 30s, factor: 2 }',
    '    max_restarts: 10',
    '    window: 60s',
    '  env:',
    '    NODE_ENV: production',
    '    LOG_LEVEL: info',
    'apps:',
  ];
  for (let i = 0; i < count; i++) {
    const name = `svc-${String(i).padStart(3, '0')}`;
    const group = i % groups;
    const kind = i % 5; // 0,1: fork with port; 2: cluster; 3: socket; 4: portless worker
    const port = 20000 + i * 10;
    lines.push(`  ${name}:`);
    lines.push(`    cwd: ./services/group-${group}`);
    if (kind === 2) lines.push('    run: node server.js', '    mode: cluster', `    instances: ${1 + (i % 4)}`);
    else if (kind === 3) lines.push('    run: [python3, -u, server.py]', '    mode: socket', '    instances: 2');
    else lines.push(`    run: node server.js --name ${name}`, `    instances: ${kind === 4 ? 1 : 1 + (i % 3)}`);
    if (kind !== 4) lines.push(`    port: ${port}`);
    if (i % 3 === 0) lines.push(`    env_file: group-${group}.env`);
    lines.push('    env:');
    for (let k = 0; k < 6; k++) lines.push(`      ${name.toUpperCase().replace('-', '_')}_VAR_${k}: "value ${i}-${k}"`);
    lines.push('      DATA_DIR: "${HOME:-/tmp}/data/' + name + '"');
    if (kind === 0 || kind === 3) lines.push('    ready: { type: http, path: /healthz, timeout: 30s }');
    else if (kind === 4) lines.push('    ready: { type: none, delay: 1s }');
    if (i % 7 === 0) lines.push('    restart: { policy: on-failure, min_uptime: 2s }');
    if (i % 11 === 0) lines.push('    max_memory: 512M', '    reload: { max_surge: 1, max_unavailable: 0 }');
    // Chains of ten: every app but a chain's head depends on its predecessor, some on two.
    const deps = [];
    if (i % 10 !== 0) deps.push(i - 1);
    if (i % 10 > 2 && i % 4 === 0) deps.push(i - 3);
    if (deps.length > 0) lines.push(`    depends_on: [${deps.map((d) => `svc-${String(d).padStart(3, '0')}`).join(', ')}]`);
  }
  const file = join(dir, 'ecosystem.yaml');
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

// ---------------------------------------------------------------- (b) whole commands

async function benchCli() {
  requireFile('dist/cli.cjs', 'the CLI is not built (run `npm run build`)');
  requireFile(SMALL_FILE, 'the small example file is missing');
  const node = process.execPath;
  const env = { ...process.env, NO_COLOR: '1' };
  // Fail early and clearly if the commands do not work at all, rather than timing errors.
  for (const args of [['--version'], ['validate', SMALL_FILE]]) {
    try {
      await timeOnce(node, [orchBin, ...args], { env });
    } catch (error) {
      skip(`\`orch ${args.join(' ')}\` does not succeed yet: ${error.message.split('\n').slice(0, 2).join(' ')}`);
    }
  }
  const samples = await timeInterleaved(
    {
      node: { command: node, args: ['-e', '0'], env },
      version: { command: node, args: [orchBin, '--version'], env },
      validate: { command: node, args: [orchBin, 'validate', SMALL_FILE], env },
    },
    { runs: CLI_RUNS, warmup: 3 },
  );
  const summary = Object.fromEntries(Object.entries(samples).map(([label, ms]) => [label, summarize(ms)]));
  const overheadMs = {};
  const pairedOverheadMs = {};
  for (const label of ['version', 'validate']) {
    overheadMs[label] = round(summary[label].median - summary.node.median);
    pairedOverheadMs[label] = round(median(samples[label].map((ms, i) => ms - samples.node[i])));
  }
  return { summary, overheadMs, pairedOverheadMs };
}

const round = (x) => Math.round(x * 100) / 100;
