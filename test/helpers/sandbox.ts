// A test's own world: a temp dir used as ORCH_HOME's parent, as the apps' cwd and as the
// daemon's cwd. Cleanup SIGKILLs every process whose cwd lies inside it, so nothing a test
// started outlives it, even when the daemon itself is broken.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync, mkdirSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const orchBin = join(repoRoot, 'bin/orch.cjs');

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Sandbox {
  readonly dir: string;
  readonly home: string;
  readonly env: NodeJS.ProcessEnv;
  write(path: string, text: string): string;
  orch(args: readonly string[], options?: { env?: NodeJS.ProcessEnv; timeout?: number }): Promise<RunResult>;
  cleanup(): Promise<void>;
}

export const createSandbox = (): Sandbox => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'orch-test-')));
  const home = join(dir, 'home');
  const env: NodeJS.ProcessEnv = { ...process.env, ORCH_HOME: home, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  return {
    dir,
    home,
    env,
    write(path, text) {
      const full = join(dir, path);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, text);
      return full;
    },
    orch: (args, options = {}) => runOrch(args, { cwd: dir, env: { ...env, ...options.env }, timeout: options.timeout ?? 60_000 }),
    async cleanup() {
      await runOrch(['daemon', 'stop'], { cwd: dir, env, timeout: 20_000 }).catch(() => undefined);
      killProcessesUnder(dir);
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

export const runOrch = (args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeout: number }): Promise<RunResult> =>
  new Promise((resolvePromise) => {
    execFile(process.execPath, [orchBin, ...args], { cwd: options.cwd, env: options.env, timeout: options.timeout }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolvePromise({ code, stdout, stderr });
    });
  });

export const killProcessesUnder = (dir: string): number => {
  let killed = 0;
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let cwd: string;
    try {
      cwd = readlinkSync(`/proc/${pid}/cwd`);
    } catch {
      continue;
    }
    if (cwd === dir || cwd.startsWith(`${dir}/`)) {
      try {
        process.kill(pid, 'SIGKILL');
        killed++;
      } catch {
        // already gone
      }
    }
  }
  return killed;
};
