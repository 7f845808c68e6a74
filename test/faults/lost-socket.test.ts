// A daemon is never lost (SPEC §10): its socket file removed, it recreates it; while there is no
// socket, `orch daemon status` and `stop` find it through its lock file.
import { mkdirSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAlive } from '../../src/process/proc-stat.js';
import { createSandbox, repoRoot, type Sandbox } from '../helpers/sandbox.js';
import { waitFor } from '../helpers/wait-for.js';

const worker = join(repoRoot, 'test/fixtures/e2e/worker.js');

let sb: Sandbox;
let socket: string;
beforeEach(() => {
  sb = createSandbox();
  socket = join(sb.home, 'orch.sock');
});
afterEach(async () => {
  // A directory put where the socket goes would keep the next daemon from binding.
  rmSync(socket, { recursive: true, force: true });
  await sb.cleanup();
});

interface StatusJson {
  readonly apps: readonly { readonly name: string; readonly instances: readonly { readonly pid?: number }[] }[];
}

const startWithApp = async (): Promise<{ daemon: number; app: number }> => {
  const file = sb.write('ecosystem.yaml', `version: 1\nname: p\napps:\n  w:\n    run: node ${worker}\n`);
  const r = await sb.orch(['apply', file]);
  expect(r.code, r.stderr).toBe(0);
  const daemon = (JSON.parse((await sb.orch(['daemon', 'status', '--output', 'json'])).stdout) as { pid: number }).pid;
  const status = JSON.parse((await sb.orch(['status', '--output', 'json'])).stdout) as StatusJson;
  const app = status.apps[0]!.instances[0]!.pid!;
  return { daemon, app };
};

const isSocket = (path: string) => {
  try {
    return statSync(path).isSocket();
  } catch {
    return false;
  }
};

describe('a lost socket does not lose the daemon', () => {
  it('the daemon recreates a deleted socket, and every command finds it again', async () => {
    const { daemon, app } = await startWithApp();
    unlinkSync(socket);
    await waitFor(() => isSocket(socket), { timeout: 4000, what: 'the socket to be recreated' });
    const t0 = Date.now();
    const status = await sb.orch(['status', '--output', 'json']);
    expect(status.code, status.stderr).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect((JSON.parse(status.stdout) as StatusJson).apps[0]!.instances[0]!.pid).toBe(app);
    const info = JSON.parse((await sb.orch(['daemon', 'status', '--output', 'json'])).stdout) as { pid: number; running: boolean };
    expect(info).toMatchObject({ running: true, pid: daemon });
  });

  it('the message bus socket comes back too, and an instance can connect to it again', async () => {
    await startWithApp();
    const bus = join(sb.home, 'bus.sock');
    expect(isSocket(bus)).toBe(true);
    unlinkSync(bus);
    await waitFor(() => isSocket(bus), { timeout: 4000, what: 'the bus socket to be recreated' });
    const connected = await new Promise<boolean>((resolve) => {
      const c = createConnection(bus, () => {
        c.destroy();
        resolve(true);
      });
      c.once('error', () => resolve(false));
    });
    expect(connected).toBe(true);
    expect(statSync(bus).mode & 0o777).toBe(0o600);
  });

  it('SIGHUP makes the daemon check its socket at once', async () => {
    const { daemon } = await startWithApp();
    unlinkSync(socket);
    process.kill(daemon, 'SIGHUP');
    await waitFor(() => isSocket(socket), { timeout: 4000, what: 'the socket to be recreated after SIGHUP' });
    expect((await sb.orch(['status'])).code).toBe(0);
  });

  it('with no usable socket, daemon status and stop find the daemon through its lock file', async () => {
    const { daemon, app } = await startWithApp();
    // A directory where the socket goes: the daemon cannot put its socket back.
    unlinkSync(socket);
    mkdirSync(socket);
    const env = { ORCH_TIMEOUT: '1' };

    const status = await sb.orch(['status'], { env });
    expect(status.code).toBe(2);
    expect(status.stderr).toMatch(new RegExp(`the orch daemon \\(pid ${daemon}, ORCH_HOME ${sb.home}\\) is running but does not answer on ${socket}`));
    expect(status.stderr).not.toMatch(/did not start/);

    const ds = await sb.orch(['daemon', 'status', '--output', 'json'], { env });
    expect(ds.stdout).toMatch(/"running":\s*true/);
    expect(JSON.parse(ds.stdout)).toMatchObject({ running: true, pid: daemon, socket: false });

    const stop = await sb.orch(['daemon', 'stop'], { env });
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stdout).toMatch(new RegExp(`Daemon ${daemon} stopped`));
    expect(isAlive(daemon)).toBe(false);
    await waitFor(() => !isAlive(app), { timeout: 5000, what: 'the app to stop with its daemon' });
  });
});
