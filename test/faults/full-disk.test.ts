// A full disk never takes control away (SPEC §10). ORCH_HOME is a 4 MiB tmpfs filled by a chatty
// app: stop, delete, down and daemon stop still work; the daemon does not spin on its own log
// errors; lines that cannot be written are dropped and counted; capture resumes when space returns.
// WARNING: needs root (to mount the tmpfs); elsewhere the test is skipped and says why.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, killProcessesUnder, repoRoot, runOrch, type Sandbox } from '../helpers/sandbox.js';
import { readStatus, type StatusJson } from '../helpers/status.js';
import { waitFor } from '../helpers/wait-for.js';

const worker = join(repoRoot, 'test/fixtures/e2e/worker.js');

/** Why the tmpfs cannot be mounted here, or undefined when it can. */
const mountRefusal = (): string | undefined => {
  if (process.getuid?.() !== 0) return 'not root: mounting a tmpfs needs root';
  const probe = join(process.env.TMPDIR ?? '/tmp', `orch-tmpfs-probe-${process.pid}`);
  mkdirSync(probe, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return undefined;
  } catch (e) {
    return `mount -t tmpfs refused: ${(e as Error).message.split('\n')[0]}`;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
};
const refused = mountRefusal();
if (refused !== undefined) console.warn(`full-disk tests skipped: ${refused}`);

const freeBytes = (dir: string): number => {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
};
const sizeOf = (path: string): number => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};
/** utime + stime of a process, in clock ticks. */
const cpuTicks = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
};
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.startsWith('Z');
  } catch {
    return false;
  }
};

describe.skipIf(refused !== undefined)(`a full disk under ORCH_HOME${refused === undefined ? '' : ` (skipped: ${refused})`}`, () => {
  let sb: Sandbox;
  let mounted = false;
  const ballast = () => join(sb.home, 'ballast');
  const status = () => readStatus(sb, { timeout: 10_000 });
  // Live pids only, unsorted: unlike helpers/status.ts's pidsOf.
  const pidsOf = (s: StatusJson, app: string): number[] =>
    (s.apps.find((a) => a.name === app)?.instances ?? []).flatMap((i) => (i.pid === null ? [] : [i.pid]));

  beforeAll(() => {
    sb = createSandbox();
    mkdirSync(sb.home, { mode: 0o700 });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0700', 'tmpfs', sb.home]);
    mounted = true;
    // Freed later, to see what the daemon does when space returns.
    writeFileSync(ballast(), Buffer.alloc(1024 * 1024));
  });
  afterAll(async () => {
    // Every process is gone first, then the tmpfs, then the sandbox: even after a failure.
    await runOrch(['daemon', 'stop'], { cwd: sb.dir, env: sb.env, timeout: 20_000 }).catch(() => undefined);
    killProcessesUnder(sb.dir);
    if (mounted) execFileSync('umount', ['-l', sb.home]);
    await sb.cleanup();
  });

  it('stop, delete, down and daemon stop all work; nothing spins; dropped lines are counted; capture resumes', async () => {
    // ~2 MB/s of 1 KiB lines: fills the tmpfs in a second or two, without saturating a core.
    const chatty = sb.write('chatty.js', "const l = 'x'.repeat(1000) + '\\n'; setInterval(() => process.stdout.write(l.repeat(20)), 10);\n");
    const env = { ORCH_LOG_MAX_SIZE: '1G' }; // no rotation: it would free space by itself
    const main = sb.write(
      'ecosystem.yaml',
      `version: 1\nname: p\napps:\n  chatty:\n    run: node ${chatty}\n  quiet:\n    run: node ${worker}\n  doomed:\n    run: node ${worker}\n`,
    );
    const other = sb.write('other.yaml', `version: 1\nname: q\napps:\n  elsewhere:\n    run: node ${worker}\n`);
    expect((await sb.orch(['apply', main], { env })).code).toBe(0);
    expect((await sb.orch(['apply', other], { env })).code).toBe(0);
    const daemon = (JSON.parse((await sb.orch(['daemon', 'status', '--output', 'json'])).stdout) as { pid: number }).pid;
    const before = await status();
    await waitFor(() => freeBytes(sb.home) < 4096, { timeout: 15_000, what: 'the tmpfs to fill up' });

    // The daemon does not spin on write errors: well under half a core over one second.
    const t0 = cpuTicks(daemon);
    await new Promise((r) => setTimeout(r, 1000));
    expect(cpuTicks(daemon) - t0, 'daemon CPU ticks over 1 s with the disk full').toBeLessThan(40);

    // Dropped lines are counted per app, and status says so.
    const full = await status();
    expect(full.apps.find((a) => a.name === 'chatty')!.dropped_lines).toBeGreaterThan(0);
    expect(full.apps.find((a) => a.name === 'quiet')!.dropped_lines).toBe(0);
    const human = await sb.orch(['status']);
    expect(human.stdout + human.stderr).toMatch(/chatty.*dropped/);

    // Space returns: capture resumes by itself, and daemon.log grows by a bounded amount.
    const appLog = join(sb.home, 'logs', 'chatty.log');
    const daemonLog = join(sb.home, 'daemon.log');
    const logBefore = sizeOf(appLog);
    const daemonLogBefore = sizeOf(daemonLog);
    rmSync(ballast());
    await waitFor(() => sizeOf(appLog) > logBefore, { timeout: 5000, what: 'capture to resume' });
    await waitFor(() => freeBytes(sb.home) < 4096, { timeout: 15_000, what: 'the tmpfs to fill up again' });
    expect(sizeOf(daemonLog) - daemonLogBefore, 'daemon.log growth after space returned').toBeLessThan(256 * 1024);

    // Control stays: each verb stops its processes and succeeds, the disk still full.
    const quiet = pidsOf(before, 'quiet');
    const stop = await sb.orch(['stop', 'quiet'], { timeout: 20_000 });
    expect(stop.code, stop.stdout + stop.stderr).toBe(0);
    // The state write failed (the disk is full): a warning, not a reason not to stop.
    expect(stop.stdout).toMatch(/warning: the state file could not be written/);
    for (const pid of quiet) expect(alive(pid)).toBe(false);

    const doomed = pidsOf(before, 'doomed');
    const del = await sb.orch(['delete', 'doomed'], { timeout: 20_000 });
    expect(del.code, del.stdout + del.stderr).toBe(0);
    for (const pid of doomed) expect(alive(pid)).toBe(false);

    const elsewhere = pidsOf(before, 'elsewhere');
    const down = await sb.orch(['down', other], { timeout: 20_000 });
    expect(down.code, down.stdout + down.stderr).toBe(0);
    for (const pid of elsewhere) expect(alive(pid)).toBe(false);

    const noisy = pidsOf(before, 'chatty');
    const stopChatty = await sb.orch(['stop', 'chatty'], { timeout: 20_000 });
    expect(stopChatty.code, stopChatty.stdout + stopChatty.stderr).toBe(0);
    for (const pid of noisy) expect(alive(pid)).toBe(false);

    const stopped = await sb.orch(['daemon', 'stop'], { timeout: 20_000 });
    expect(stopped.code, stopped.stdout + stopped.stderr).toBe(0);
    await waitFor(() => !alive(daemon), { timeout: 5000, what: 'the daemon to exit' });
  }, 90_000);
});
