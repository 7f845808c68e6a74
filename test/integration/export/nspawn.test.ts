// The boot test of SPEC §13's systemd export: the units `orch export systemd` writes for
// test/fixtures/export/nspawn/ecosystem.yaml, started by a real systemd (PID 1 of a container:
// `debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus bookworm ROOT`, then
// `systemd-nspawn --keep-unit --register=no -D ROOT --boot`). Shown: both instances of a
// socket-mode app get the listening socket from systemd (LISTEN_FDS=1, LISTEN_PID = their own
// pid, LISTEN_FDNAMES) and answer on it, and a notify app is `activating` until it sends READY=1,
// then `active`, and the target with it.
//
// The root is cached (ORCH_NSPAWN_ROOT, default /var/cache/orch-nspawn/bookworm) and never
// written: `--volatile=overlay` puts a tmpfs over it for each boot. ORCH_NSPAWN=1 builds it when
// it is missing (build-root.sh, as .ci/run does). The container has its own network, so the
// fixture's port is fixed; the test reaches it, and the container's systemd, with nsenter.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, realpathSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { socketInodesOf } from '../../../src/process/port-holders.js';
import { waitFor } from '../../helpers/wait-for.js';
import { exportOf, repoRoot } from '../../unit/export/helpers.js';

const run = promisify(execFile);
const ROOT = process.env.ORCH_NSPAWN_ROOT ?? '/var/cache/orch-nspawn/bookworm';
const BUILD = process.env.ORCH_NSPAWN === '1';
const fixture = join(repoRoot, 'test/fixtures/export/nspawn');
const PORT = 9400; // the fixture's, inside the container's own network
const INNER_RESULTS = '/run/orch-results'; // the fixture's RESULTS
const INNER_UNITS = '/run/orch-units';
const PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

const which = (tool: string): boolean => ['/usr/sbin', '/usr/bin', '/sbin', '/bin'].some((d) => existsSync(join(d, tool)));
const hasRoot = (): boolean => existsSync(join(ROOT, 'usr/lib/systemd/systemd'));
/** CAP_SYS_ADMIN (bit 21) in our effective set: nspawn mounts; an unprivileged container lacks it. */
const canMount = (): boolean => {
  const eff = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  return eff !== undefined && (BigInt(`0x${eff}`) & (1n << 21n)) !== 0n;
};

const skipReason = ((): string | undefined => {
  if (process.getuid?.() !== 0) return 'not root: systemd-nspawn needs root';
  if (!canMount()) return 'no CAP_SYS_ADMIN: systemd-nspawn cannot mount here';
  if (!which('systemd-nspawn')) return 'no systemd-nspawn: apt-get install systemd-container';
  if (!which('nsenter')) return 'no nsenter: apt-get install util-linux';
  if (hasRoot()) return undefined;
  if (!BUILD) return `no root at ${ROOT}: ORCH_NSPAWN=1 builds it (debootstrap, 1.5-2 min), as .ci/run does`;
  if (!which('debootstrap')) return 'no debootstrap to build the root: apt-get install debootstrap';
  return undefined;
})();

interface Container {
  readonly nspawn: ChildProcess;
  /** The container's PID 1 (a host pid). */
  readonly leader: number;
}
let box: Container | undefined;
// The test's temp dir: the exported units, the apps' results (bind-mounted), nspawn's output.
let dir = '';
const units = (): string => join(dir, 'units');
const results = (): string => join(dir, 'results');
const logFile = (): string => join(dir, 'nspawn.log');

/** A command in every namespace of the container (its systemd's bus, files, network). Never throws. */
const inside = async (args: readonly string[], namespaces = ['-a']): Promise<{ code: number; stdout: string; stderr: string }> => {
  if (box === undefined) throw new Error('the container did not boot');
  try {
    const { stdout, stderr } = await run('nsenter', ['-t', String(box.leader), ...namespaces, ...args], { env: { PATH, SYSTEMD_COLORS: '0' }, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? String(e) };
  }
};
const systemctl = async (...args: string[]): Promise<string> => (await inside(['systemctl', ...args])).stdout.trim();

/** The container's PID 1: nspawn's child once it has exec'd systemd. */
const leaderOf = (nspawn: number): number | undefined => {
  const children = readFileSync(`/proc/${nspawn}/task/${nspawn}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  return children.find((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'systemd';
    } catch {
      return false;
    }
  });
};

const boot = async (): Promise<Container> => {
  for (const d of [units(), results()]) mkdirSync(d, { recursive: true });
  const exported = await exportOf('systemd', join(fixture, 'ecosystem.yaml'));
  for (const f of exported.files) {
    mkdirSync(dirname(join(units(), f.path)), { recursive: true });
    writeFileSync(join(units(), f.path), f.text);
  }
  const out = openSync(logFile(), 'w');
  const nspawn = spawn(
    'systemd-nspawn',
    [
      '--keep-unit',
      '--register=no',
      `--machine=orch-boot-${process.pid}`,
      '-D',
      ROOT,
      '--boot',
      // A tmpfs over the cached root: nothing of a boot is kept, the next one starts clean.
      '--volatile=overlay',
      '--private-network',
      // WARNING: the host's node runs in the container, on the root's libraries (both Debian 12 here).
      `--bind-ro=${realpathSync(process.execPath)}:/usr/bin/node`,
      // The apps at the path their units name in WorkingDirectory=.
      `--bind-ro=${fixture}`,
      `--bind-ro=${units()}:${INNER_UNITS}`,
      `--bind=${results()}:${INNER_RESULTS}`,
    ],
    { stdio: ['ignore', out, out], env: { PATH, SYSTEMD_COLORS: '0' } },
  );
  closeSync(out);
  const exited = new Promise<never>((_, reject) => {
    nspawn.once('exit', (code, signal) => reject(new Error(`systemd-nspawn exited (${code ?? signal}) before the container was up:\n${readFileSync(logFile(), 'utf8')}`)));
  });
  exited.catch(() => undefined);
  const up = (async (): Promise<Container> => {
    const leader = await waitFor(() => leaderOf(nspawn.pid!), { timeout: 30_000, what: "the container's systemd" });
    box = { nspawn, leader };
    // `starting` while booting; `degraded` if some unit of the base system failed: booted either way.
    await waitFor(async () => ['running', 'degraded'].includes(await systemctl('is-system-running')), { timeout: 60_000, interval: 100, what: 'the container to finish booting' });
    return box;
  })();
  return Promise.race([up, exited]);
};

/** Poweroff (nspawn turns SIGTERM into a clean shutdown), then SIGKILL whatever is left. */
const shutdown = async (): Promise<void> => {
  const c = box;
  if (c === undefined) return;
  const gone = new Promise<void>((resolve) => {
    if (c.nspawn.exitCode !== null || c.nspawn.signalCode !== null) resolve();
    else c.nspawn.once('exit', () => resolve());
  });
  c.nspawn.kill('SIGTERM');
  const timer = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), 30_000));
  if ((await Promise.race([gone, timer])) === 'late') {
    // The leader is PID 1 of the container's pid namespace: killing it kills every process in it.
    for (const pid of [c.leader, c.nspawn.pid!]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await gone;
  }
};

const read = (name: string): Record<string, unknown> | undefined => {
  const path = join(results(), name);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>) : undefined;
};

describe.skipIf(skipReason !== undefined)(`the exported units in a real systemd (systemd-nspawn)${skipReason === undefined ? '' : ` (skipped: ${skipReason})`}`, () => {
  beforeAll(async () => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'orch-nspawn-')));
    if (!hasRoot()) await run('sh', [join(fixture, 'build-root.sh'), ROOT], { timeout: 600_000 });
    await boot();
    const start = await inside(['sh', '-c', `cp -r ${INNER_UNITS}/. /etc/systemd/system/ && systemctl daemon-reload && systemctl start --no-block boot.target`]);
    expect(start.stderr).toBe('');
    expect(start.code).toBe(0);
  }, 660_000);

  afterAll(async () => {
    await shutdown();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('every instance of the socket-mode app gets the socket from systemd: LISTEN_FDS=1, LISTEN_PID its own pid, LISTEN_FDNAMES', async () => {
    const got = await waitFor(() => (read('echo-0.json') && read('echo-1.json') ? [read('echo-0.json')!, read('echo-1.json')!] : undefined), {
      timeout: 20_000,
      what: 'both echo instances to report what they were handed',
    });
    for (const [i, g] of got.entries()) {
      expect(g).toEqual({ pid: g.pid, LISTEN_FDS: '1', LISTEN_PID: String(g.pid), LISTEN_FDNAMES: 'echo', ORCH_INSTANCE: String(i), PORT: String(PORT) });
      expect(await systemctl('show', '-P', 'MainPID', `boot-echo@${i}.service`)).toBe(String(g.pid));
    }
    // `activating` for ready.delay first (ExecStartPost=/bin/sleep), then `active`.
    await waitFor(async () => (await systemctl('is-active', 'boot-echo.socket', 'boot-echo@0.service', 'boot-echo@1.service')) === 'active\nactive\nactive', {
      timeout: 20_000,
      interval: 100,
      what: 'the socket and both echo instances to be active',
    });
  });

  it("a connection to the port inside the container is answered by an instance, on systemd's socket", async () => {
    await waitFor(() => read('echo-0.json') && read('echo-1.json'), { timeout: 20_000, what: 'both echo instances' });
    const pids = [read('echo-0.json')!.pid, read('echo-1.json')!.pid];
    // The host's node, in the container's network only.
    const connect = `require('net').connect(${PORT}, '127.0.0.1').setEncoding('utf8').on('data', (d) => process.stdout.write(d))`;
    const answer = await inside([realpathSync(process.execPath), '-e', connect], ['-n']);
    expect(answer.code, answer.stderr).toBe(0);
    const got = JSON.parse(answer.stdout) as Record<string, unknown>;
    expect(pids).toContain(got.pid);
    expect(got.LISTEN_FDS).toBe('1');
    // One socket listens on the port, held by the container's systemd, and it is each app's fd 3.
    const listening = readFileSync(`/proc/${box!.leader}/net/tcp`, 'utf8')
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f[3] === '0A' && f[1]?.endsWith(`:${PORT.toString(16).toUpperCase().padStart(4, '0')}`))
      .map((f) => Number(f[9]));
    expect(listening).toHaveLength(1);
    expect(socketInodesOf(box!.leader)).toContain(listening[0]);
    for (const pid of pids) expect(await inside(['readlink', `/proc/${String(pid)}/fd/3`])).toMatchObject({ stdout: `socket:[${listening[0]}]\n` });
  });

  it('the notify app is activating until it sends READY=1, then active, and the target with it', async () => {
    await waitFor(() => existsSync(join(results(), 'ready.started')), { timeout: 20_000, what: 'the notify app to start' });
    const mainPid = readFileSync(join(results(), 'ready.started'), 'utf8').split(' ')[0];
    expect(await systemctl('show', '-P', 'Type', 'boot-notify@0.service')).toBe('notify');
    expect(await systemctl('is-active', 'boot-notify@0.service')).toBe('activating');
    writeFileSync(join(results(), 'go'), '');
    await waitFor(async () => (await systemctl('is-active', 'boot-notify@0.service')) === 'active', { timeout: 20_000, interval: 100, what: 'boot-notify@0 to be active' });
    expect(await systemctl('show', '-P', 'MainPID', 'boot-notify@0.service')).toBe(mainPid);
    await waitFor(async () => (await systemctl('is-active', 'boot.target')) === 'active', { timeout: 20_000, interval: 100, what: 'boot.target to be active' });
  });
});
