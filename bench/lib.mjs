// Helpers shared by the benchmarks: timing (child processes and in-process functions), summary
// statistics, table formatting, skipping, and isolated homes for orch and PM2.
// The machine is noisy: report medians and ratios, interleave the things compared, never a mean.
import { spawn, execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const orchBin = join(repoRoot, 'bin/orch.js');

/** Thrown by a bench whose prerequisites are missing; run.mjs reports "skipped: <message>". */
export class BenchSkipped extends Error {
  constructor(reason) {
    super(reason);
    this.name = 'BenchSkipped';
  }
}

export function skip(reason) {
  throw new BenchSkipped(reason);
}

/** Skips the bench unless `path` (relative to the repo root, or absolute) exists. */
export function requireFile(path, why) {
  const absolute = path.startsWith('/') ? path : join(repoRoot, path);
  if (!existsSync(absolute)) skip(`${why} (${absolute.slice(repoRoot.length + 1) || absolute} is missing)`);
  return absolute;
}

// ---------------------------------------------------------------- statistics

export function percentile(samples, p) {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  // Nearest-rank on the sorted samples; with ~20-30 samples interpolation buys nothing.
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export const median = (samples) => {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** { n, median, p90, min, max } in the samples' unit, rounded to 0.01. */
export function summarize(samples) {
  const round = (x) => Math.round(x * 100) / 100;
  return {
    n: samples.length,
    median: round(median(samples)),
    p90: round(percentile(samples, 90)),
    min: round(Math.min(...samples)),
    max: round(Math.max(...samples)),
  };
}

export const formatMs = (ms) => (Number.isFinite(ms) ? (ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(1)} ms`) : 'n/a');

/** `a` relative to `b`: "1.42x". */
export const formatRatio = (a, b) => (b > 0 && Number.isFinite(a) ? `${(a / b).toFixed(2)}x` : 'n/a');

export const formatDelta = (ms) => (Number.isFinite(ms) ? `${ms >= 0 ? '+' : ''}${ms.toFixed(1)} ms` : 'n/a');

export const passFail = (ok) => (ok ? 'PASS' : 'FAIL');

/** A GitHub-flavoured markdown table. */
export function markdownTable(headers, rows) {
  const line = (cells) => `| ${cells.map((c) => String(c).replaceAll('|', '\\|')).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

// ---------------------------------------------------------------- timing

/**
 * Spawns `command args`, waits for it to exit, and returns the wall time in ms. Output is
 * discarded unless `capture`; a non-zero exit is an error unless listed in `okExitCodes`, and a
 * run longer than `timeoutMs` is killed and reported as an error.
 */
export function timeOnce(command, args = [], options = {}) {
  const { cwd = repoRoot, env = process.env, okExitCodes = [0], capture = false, timeoutMs = 30_000 } = options;
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', capture ? 'pipe' : 'ignore', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (!okExitCodes.includes(code)) {
        const how = signal ? `signal ${signal}` : `exit ${code}`;
        reject(new Error(`${command} ${args.join(' ')}: ${how}\n${stderr.trim()}`));
        return;
      }
      resolve({ ms, code, stdout, stderr });
    });
  });
}

/** Runs the command `runs` times (after `warmup` untimed runs); returns the times in ms. */
export async function timeCommand(command, args = [], { runs = 20, warmup = 2, ...options } = {}) {
  for (let i = 0; i < warmup; i++) await timeOnce(command, args, options);
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push((await timeOnce(command, args, options)).ms);
  return samples;
}

/**
 * Times several commands round-robin (A B C A B C …) so drift in machine load hits them alike.
 * `commands`: { label: { command, args, ...timeOnce options } }. Returns { label: ms[] }.
 */
export async function timeInterleaved(commands, { runs = 30, warmup = 2 } = {}) {
  const labels = Object.keys(commands);
  const samples = Object.fromEntries(labels.map((label) => [label, []]));
  for (let round = 0; round < warmup + runs; round++) {
    for (const label of labels) {
      const { command, args = [], ...options } = commands[label];
      const { ms } = await timeOnce(command, args, options);
      if (round >= warmup) samples[label].push(ms);
    }
  }
  return samples;
}

/** Calls `fn` `runs` times in-process (after `warmup` calls); returns the times in ms. */
export async function timeFunction(fn, { runs = 20, warmup = 3 } = {}) {
  for (let i = 0; i < warmup; i++) await fn();
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return samples;
}

// ---------------------------------------------------------------- isolated worlds

export async function withTempDir(prefix, fn) {
  const dir = await mkdtemp(join(tmpdir(), `orch-bench-${prefix}-`));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const execFileAsync = promisify(execFile);

/**
 * Runs `fn({ home, orch })` with a fresh ORCH_HOME; `orch(args, options)` runs the built CLI in it.
 * The daemon it may have started is always stopped afterwards.
 */
export async function withOrchHome(fn) {
  requireFile('dist/cli.js', 'orch is not built (run `npm run build`)');
  return withTempDir('orch-home', async (home) => {
    const env = { ...process.env, ORCH_HOME: home, NO_COLOR: '1' };
    const orch = (args, options = {}) => execFileAsync(process.execPath, [orchBin, ...args], { cwd: repoRoot, env, ...options });
    try {
      return await fn({ home, env, orch });
    } finally {
      await orch(['daemon', 'stop']).catch(() => {});
    }
  });
}

/** The locally installed pm2 CLI (a devDependency), or undefined. */
export function findPm2() {
  const bin = join(repoRoot, 'node_modules/pm2/bin/pm2');
  return existsSync(bin) ? bin : undefined;
}

/**
 * Runs `fn({ home, env, pm2 })` with a fresh PM2_HOME, so the benchmark never touches a user's
 * PM2. `pm2(args, options)` runs the local pm2 CLI there; `pm2 kill` always runs afterwards, and
 * the bench is skipped when pm2 is not installed.
 */
export async function withPm2(fn) {
  const bin = findPm2() ?? skip('pm2 is not installed (add it as a devDependency)');
  return withTempDir('pm2-home', async (home) => {
    const env = { ...process.env, PM2_HOME: home, PM2_DISABLE_VERSION_CHECK: 'true', NO_COLOR: '1' };
    const pm2 = (args, options = {}) => execFileAsync(process.execPath, [bin, ...args], { cwd: repoRoot, env, ...options });
    try {
      return await fn({ home, env, pm2, bin });
    } finally {
      await pm2(['kill']).catch(() => {});
    }
  });
}
