// `orch top` / `orch monit` through the built binary: status's table redrawn live. Piped, a frame
// per refresh (a blank line between two); in a real pseudo-terminal (util-linux `script`), the
// alternate screen, q and Ctrl-C; never a daemon started; a daemon that goes away and comes back.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, orchBin, repoRoot, type Sandbox } from '../helpers/sandbox.js';
import { pidsOf, readStatus } from '../helpers/status.js';
import { waitFor } from '../helpers/wait-for.js';

const worker = join(repoRoot, 'test/fixtures/e2e/worker.js');
const haveScript = spawnSync('sh', ['-c', 'command -v script']).status === 0;

const ecosystem = (instances: number) => `
version: 1
name: shop
apps:
  worker:
    run: [node, ${worker}]
    instances: ${instances}
    ready: { type: none, delay: 0ms }
`;

interface Running {
  readonly child: ChildProcess;
  output(): string;
  /** The exit code (128 + n for a signal n) once the process has ended. */
  readonly exit: Promise<number>;
}

let sb: Sandbox;
let started: ChildProcess[] = [];
beforeEach(() => {
  sb = createSandbox();
  started = [];
});
afterEach(async () => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await sb.cleanup();
});

const run = (command: string, args: readonly string[], env: NodeJS.ProcessEnv = sb.env): Running => {
  const child = spawn(command, args, { cwd: sb.dir, env, stdio: ['pipe', 'pipe', 'pipe'] });
  started.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : 15))));
  return { child, output: () => out, exit };
};
const runTop = (args: readonly string[]): Running => run(process.execPath, [orchBin, ...args]);

const apply = async (): Promise<void> => {
  const r = await sb.orch(['apply']);
  expect(r.code, r.stderr + r.stdout).toBe(0);
};

/** The whole frames of a piped top: every piece but the last, which may still be arriving. */
const framesOf = (text: string): string[] => {
  const pieces = text.split('\n\n');
  return text.endsWith('\n') ? pieces : pieces.slice(0, -1);
};
interface Row {
  readonly index: number;
  readonly pid: number;
  readonly state: string;
}
/** The worker's rows of one frame, read from status's columns (APP PROJECT MODE GEN # PID STATE …). */
const rowsOf = (frame: string): Row[] =>
  frame
    .split('\n')
    .filter((l) => l.startsWith('worker '))
    .map((l) => l.split(/\s+/))
    .map((c) => ({ index: Number(c[4]), pid: Number(c[5]), state: c[6]! }));
const HEADER = /^orch top {2}\d\d:\d\d:\d\d {2}daemon pid (\d+), up \S+ {2}apps (\d+)\/(\d+) online, instances (\d+)\/(\d+) online$/;

describe('orch top, piped', () => {
  it("prints a frame per refresh, and a later frame shows the new pid of a SIGKILLed instance", async () => {
    sb.write('ecosystem.yaml', ecosystem(2));
    await apply();
    const before = pidsOf(await readStatus(sb), 'worker');
    const top = runTop(['top', '--interval', '200ms']);
    const first = await waitFor(() => framesOf(top.output()).find((f) => rowsOf(f).length === 2), { what: 'a frame with both instances' });
    const [header, tableHead] = first.split('\n');
    expect(header).toMatch(HEADER);
    expect(HEADER.exec(header!)!.slice(2)).toEqual(['1', '1', '2', '2']);
    expect(tableHead).toMatch(/^APP +PROJECT +MODE +GEN +# +PID +STATE +UPTIME/);
    expect(rowsOf(first).map((r) => r.pid).sort()).toEqual(before);

    const victim = rowsOf(first)[0]!;
    process.kill(victim.pid, 'SIGKILL');
    const later = await waitFor(
      () =>
        framesOf(top.output()).find((f) => {
          const row = rowsOf(f).find((r) => r.index === victim.index);
          return row !== undefined && row.pid !== victim.pid && row.state === 'online';
        }),
      { timeout: 15_000, what: 'a frame with the successor of the killed instance' },
    );
    const successor = rowsOf(later).find((r) => r.index === victim.index)!.pid;
    expect(pidsOf(await readStatus(sb), 'worker')).toContain(successor);
    // Every frame is a header and a table: nothing else comes between the blank lines.
    for (const f of framesOf(top.output())) expect(f.split('\n')[0]).toMatch(HEADER);
    expect(top.child.exitCode).toBeNull();
    top.child.kill('SIGINT');
    expect(await top.exit).toBe(0);
  });

  it('ends when its reader does: orch top | head -n 2', async () => {
    sb.write('ecosystem.yaml', ecosystem(1));
    await apply();
    // The shell waits for both ends of the pipe: it exits only once top has.
    const pipe = run('sh', ['-c', `"${process.execPath}" "${orchBin}" top --interval 200ms | head -n 2`]);
    const code = await Promise.race([pipe.exit, new Promise<string>((r) => setTimeout(() => r('still running after 10s'), 10_000))]);
    expect(code, pipe.output()).toBe(0);
    const lines = pipe.output().split('\n');
    expect(lines[0]).toMatch(HEADER);
    expect(lines[1]).toMatch(/^APP /);
  });

  it('--once prints one frame and exits 0 (monit too)', async () => {
    sb.write('ecosystem.yaml', ecosystem(2));
    await apply();
    for (const verb of ['top', 'monit']) {
      const r = await sb.orch([verb, '--once']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).not.toMatch(/\n\n/);
      const [header, ...table] = r.stdout.trimEnd().split('\n');
      expect(header).toMatch(HEADER);
      expect(rowsOf(table.join('\n')).map((x) => x.pid).sort()).toEqual(pidsOf(await readStatus(sb), 'worker'));
    }
  });

  it('-p shows one project, as status -p does; an unknown project exits 2', async () => {
    sb.write('ecosystem.yaml', ecosystem(1));
    await apply();
    sb.write('jobs.yaml', ecosystem(1).replace('name: shop', 'name: jobs').replace('worker:', 'cron:'));
    const other = await sb.orch(['apply', 'jobs.yaml']);
    expect(other.code, other.stderr).toBe(0);
    const r = await sb.orch(['top', '--once', '-p', 'jobs']);
    expect(r.code, r.stderr).toBe(0);
    const [header, ...table] = r.stdout.trimEnd().split('\n');
    expect(header).toMatch(/apps 1\/1 online, instances 1\/1 online$/);
    expect(table.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['cron']);
    const unknown = await sb.orch(['top', '--once', '--project', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no project named 'nope' \(known: jobs, shop\)/);
  });

  it('says when the daemon went away, keeps trying, and is live again with the next daemon', async () => {
    sb.write('ecosystem.yaml', ecosystem(1));
    await apply();
    const top = runTop(['top', '--interval', '200ms']);
    const live = await waitFor(() => framesOf(top.output()).find((f) => HEADER.test(f.split('\n')[0]!)), { what: 'a live frame' });
    const firstPid = HEADER.exec(live.split('\n')[0]!)![1];
    expect((await sb.orch(['daemon', 'stop'])).code).toBe(0);
    const lost = await waitFor(() => framesOf(top.output()).find((f) => /daemon unreachable since \d\d:\d\d:\d\d/.test(f)), { what: 'a frame saying the daemon is gone' }).catch((e: Error) => {
      throw new Error(`${e.message}; top printed:\n${top.output().slice(-2000)}`);
    });
    expect(lost).toContain(`(was pid ${firstPid})`);
    await waitFor(() => framesOf(top.output()).some((f) => /no daemon is running in .*'orch daemon start'/.test(f)), { what: 'the reason: no daemon runs' });
    expect(top.child.exitCode).toBeNull();

    expect((await sb.orch(['daemon', 'start'])).code).toBe(0);
    const back = await waitFor(
      () =>
        framesOf(top.output()).find((f) => {
          const m = HEADER.exec(f.split('\n')[0]!);
          return m !== null && m[1] !== firstPid && rowsOf(f).some((r) => r.state === 'online');
        }),
      { timeout: 20_000, what: 'a live frame from the new daemon' },
    );
    expect(back).not.toMatch(/unreachable/);
    top.child.kill('SIGINT');
    expect(await top.exit).toBe(0);
  });
});

describe('orch top without a daemon', () => {
  it.each([[['top']], [['top', '--once']], [['monit']]])('%j says none runs and how to start one, exits 2, and starts none', async (args) => {
    const r = await sb.orch(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^orch: no daemon is running in .*home \(orch top never starts one\): 'orch daemon start' starts it/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
    expect(existsSync(join(sb.home, 'orch.sock'))).toBe(false);
    expect(existsSync(join(sb.home, 'daemon.pid'))).toBe(false);
  });

  it('a bad --interval is a usage error (exit 2) that names what it takes', async () => {
    const r = await sb.orch(['top', '--interval', '5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--interval takes a duration .*got '5'/);
  });
});

describe('orch top in a terminal', () => {
  const COLS = 72;
  const ESCAPES = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, 'g');
  it.skipIf(!haveScript).each([
    ['q', 'q'],
    ['Ctrl-C', '\x03'],
  ])(
    `%s quits with exit 0, the alternate screen left and the cursor shown; lines fit the width${haveScript ? '' : ' (skipped: no script, from util-linux)'}`,
    async (_name, key) => {
      sb.write('ecosystem.yaml', ecosystem(1));
      await apply();
      // -e: script exits with top's own code.
      const command = `stty cols ${COLS} rows 24; exec "${process.execPath}" "${orchBin}" top --interval 200ms`;
      const tty = run('script', ['-qefc', command, '/dev/null'], { ...sb.env, TERM: 'xterm' });
      await waitFor(() => (tty.output().match(/q quit/g) ?? []).length >= 2, { what: 'two frames drawn' });
      tty.child.stdin!.write(key);
      expect(await tty.exit, tty.output()).toBe(0);
      const out = tty.output();
      expect(out.indexOf('\x1b[?1049h')).toBeGreaterThanOrEqual(0);
      expect(out.indexOf('\x1b[?1049h')).toBeLessThan(out.indexOf('orch top'));
      const lastFrame = out.lastIndexOf('\x1b[H');
      expect(out.indexOf('\x1b[?25h', lastFrame)).toBeGreaterThan(lastFrame);
      expect(out.indexOf('\x1b[?1049l', lastFrame)).toBeGreaterThan(lastFrame);
      // Each frame starts at the top left (ESC [H); its lines end in CR LF.
      const visible = out.split(`${String.fromCharCode(27)}[H`).flatMap((f) => f.replace(ESCAPES, '').split(/\r*\n/));
      expect(visible.some((l) => l.startsWith('APP '))).toBe(true);
      for (const l of visible) expect(l.length, l).toBeLessThanOrEqual(COLS);
    },
  );
});
