// Helpers shared by the benchmarks: timing (child processes and in-process functions), summary
// statistics, table formatting, skipping, and isolated homes for orch and PM2.
// The machine is noisy: report medians and ratios, interleave the things compared, never a mean.
import { spawn, execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const orchBin = join(repoRoot, 'bin/orch.cjs');

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
 * The daemon it may have started is always stopped afterwards, and any process still carrying
 * this ORCH_HOME in its environment (a daemon that did not stop) is killed.
 */
export async function withOrchHome(fn, { bin = orchBin } = {}) {
  if (bin === orchBin) requireFile('dist/cli.cjs', 'orch is not built (run `npm run build`)');
  return withTempDir('orch-home', async (home) => {
    const env = { ...process.env, ORCH_HOME: home, NO_COLOR: '1' };
    const orch = (args, options = {}) =>
      execFileAsync(process.execPath, [bin, ...args], { cwd: repoRoot, env, timeout: 60_000, killSignal: 'SIGKILL', maxBuffer: 64 << 20, ...options });
    try {
      return await fn({ home, env, orch, bin });
    } finally {
      await orch(['daemon', 'stop']).catch(() => {});
      await killProcesses({ envContains: `ORCH_HOME=${home}` });
    }
  });
}

/**
 * Runs `fn(bin)` with a private copy of the built orch (bin/ and dist/, under
 * node_modules/.cache so bare imports still resolve), so that a rebuild in the shared checkout
 * (which empties dist/) cannot pull the files from under a long bench. `bin` is the copy's
 * bin/orch.cjs. The copy is checked for completeness (every relative import of every module
 * exists) and retried if a build was under way; it is removed afterwards.
 */
export async function withOrchSnapshot(fn) {
  // dist/ is briefly absent while someone rebuilds: give a build in progress time to finish.
  for (let waited = 0; !existsSync(join(repoRoot, 'dist/cli.cjs')) && waited < 30; waited++) await new Promise((r) => setTimeout(r, 1000));
  requireFile('dist/cli.cjs', 'orch is not built (run `npm run build`)');
  const cache = join(repoRoot, 'node_modules/.cache/orch-bench');
  await mkdir(cache, { recursive: true });
  const dir = await mkdtemp(join(cache, 'snapshot-'));
  try {
    let problem;
    for (let attempt = 0; attempt < 10; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 1000));
      await rm(join(dir, 'dist'), { recursive: true, force: true });
      try {
        await cp(join(repoRoot, 'dist'), join(dir, 'dist'), { recursive: true });
        await cp(join(repoRoot, 'bin'), join(dir, 'bin'), { recursive: true });
      } catch (error) {
        problem = `copy failed: ${error.message}`;
        continue;
      }
      problem = await incompleteBuild(join(dir, 'dist'));
      if (!problem) return await fn(join(dir, 'bin/orch.cjs'));
    }
    throw new Error(`could not take a complete copy of dist/ (a build kept running?): ${problem}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A reason why the bundle in `dist` is incomplete, or undefined if every relative import exists. */
async function incompleteBuild(dist) {
  for (const required of ['cli.cjs', 'program.js', 'daemon.js']) if (!existsSync(join(dist, required))) return `${required} is missing`;
  const files = [...(await readdir(dist)).map((f) => join(dist, f)), ...(await readdir(join(dist, 'chunks')).catch(() => [])).map((f) => join(dist, 'chunks', f))];
  for (const file of files.filter((f) => /\.c?js$/.test(f))) {
    const text = await readFile(file, 'utf8');
    for (const match of text.matchAll(/(?:from |import\()\s*"(\.{1,2}\/[^"]+)"/g)) {
      if (!existsSync(join(dirname(file), match[1]))) return `${file.slice(dist.length + 1)} imports ${match[1]}, which is missing`;
    }
  }
  return undefined;
}

/** The locally installed pm2 CLI (a devDependency), or undefined. */
export function findPm2() {
  const bin = join(repoRoot, 'node_modules/pm2/bin/pm2');
  return existsSync(bin) ? bin : undefined;
}

/**
 * Runs `fn({ home, env, pm2 })` with a fresh PM2_HOME, so the benchmark never touches a user's
 * PM2. `pm2(args, options)` runs the local pm2 CLI there; `pm2 kill` always runs afterwards (then
 * anything still carrying this PM2_HOME in its environment is killed), and the bench is skipped
 * when pm2 is not installed.
 */
export async function withPm2(fn) {
  const bin = findPm2() ?? skip('pm2 is not installed (add it as a devDependency)');
  return withTempDir('pm2-home', async (home) => {
    const env = { ...process.env, PM2_HOME: home, PM2_DISABLE_VERSION_CHECK: 'true', NO_COLOR: '1' };
    const pm2 = (args, options = {}) =>
      execFileAsync(process.execPath, [bin, ...args], { cwd: repoRoot, env, timeout: 60_000, killSignal: 'SIGKILL', maxBuffer: 64 << 20, ...options });
    try {
      return await fn({ home, env, pm2, bin });
    } finally {
      await pm2(['kill']).catch(() => {});
      await killProcesses({ envContains: `PM2_HOME=${home}` });
    }
  });
}

// ---------------------------------------------------------------- processes and ports (Linux)

/** Pids of every process whose /proc/<pid>/cmdline or environ contains the given text. */
export async function findProcesses({ cmdlineContains, envContains } = {}) {
  const found = [];
  let entries = [];
  try {
    entries = await readdir('/proc');
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      if (cmdlineContains && (await readFile(`/proc/${pid}/cmdline`, 'latin1')).includes(cmdlineContains)) found.push(pid);
      else if (envContains && (await readFile(`/proc/${pid}/environ`, 'latin1')).split('\0').includes(envContains)) found.push(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/** SIGKILLs every process found by findProcesses(match); returns their pids. */
export async function killProcesses(match) {
  const pids = await findProcesses(match);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return pids;
}

/** SIGKILLs the given pids, ignoring the ones already gone. */
export function killPids(pids) {
  for (const pid of pids) {
    try {
      if (pid > 0 && pid !== process.pid) process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** VmRSS of a process in KiB, or undefined if it is gone. */
export async function readRssKiB(pid) {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Pids of the descendants of `pid` (children, grandchildren, …), from /proc/<pid>/stat. */
export async function descendantsOf(pid) {
  const parents = new Map();
  for (const entry of await readdir('/proc').catch(() => [])) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // gone
    }
  }
  const result = [];
  const frontier = [pid];
  while (frontier.length > 0) {
    const parent = frontier.pop();
    for (const [child, ppid] of parents) {
      if (ppid === parent) {
        result.push(child);
        frontier.push(child);
      }
    }
  }
  return result;
}

function portIsFree(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    // The default host (:: with IPv4 mapped) covers both families, like the apps will bind.
    server.listen({ port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * `count` consecutive free TCP ports starting at a random base, below the kernel's ephemeral
 * range (so outgoing connections cannot take them meanwhile). Throws after a few attempts.
 */
export async function findFreePorts(count, { low = 20_000, high = 32_000 } = {}) {
  try {
    const [ephemeralLow] = (await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')).trim().split(/\s+/).map(Number);
    if (ephemeralLow > low + count) high = Math.min(high, ephemeralLow - 1);
  } catch {
    // not Linux: keep the defaults
  }
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = low + Math.floor(Math.random() * (high - low - count));
    const ports = Array.from({ length: count }, (_, i) => base + i);
    let free = true;
    for (const port of ports) {
      if (!(await portIsFree(port))) {
        free = false;
        break;
      }
    }
    if (free) return ports;
  }
  throw new Error(`no block of ${count} free ports found in ${low}-${high}`);
}
