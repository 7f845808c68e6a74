import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer as createHttpServer } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commandOf } from '../../../src/process/port-holders.js';
import { freePort, freePortRange, httpGet } from '../../helpers/ports.js';
import { waitFor } from '../../helpers/wait-for.js';
import { startForeignListener } from './foreign-listener.js';
import { createHarness, fixtures, type Harness, nodeApp, processAlive } from './harness.js';

let h: Harness;
beforeEach(() => {
  h = createHarness();
});
afterEach(async () => {
  await h.teardown();
});

const hasPython = spawnSync('python3', ['--version']).status === 0;

const instance = (app: string, index: number) => h.supervisor.app(app)?.instances.find((i) => i.index === index);

describe('create', () => {
  it('starts every instance online with its own PORT and only the declared environment', async () => {
    const port = await freePortRange(2);
    process.env.ORCH_TEST_DAEMON_SECRET = 'leak';
    const spec = nodeApp('web', 'http-server.js', [], {
      instances: 2,
      port,
      env: { GREETING: 'hi' },
      ready: { type: 'http', path: '/healthz', timeoutMs: 5000 },
    });
    const result = await h.supervisor.create(spec);
    delete process.env.ORCH_TEST_DAEMON_SECRET;
    expect(result).toEqual({ ok: true });
    const view = h.supervisor.app('web');
    expect(view?.instances.map((i) => [i.index, i.state, i.port])).toEqual([
      [0, 'online', port],
      [1, 'online', port + 1],
    ]);
    for (const index of [0, 1]) {
      const env = JSON.parse((await httpGet(port + index, '/env')).body) as Record<string, string>;
      expect(env).toMatchObject({ ORCH_APP: 'web', ORCH_INSTANCE: String(index), ORCH_PROJECT: 'test', PORT: String(port + index), GREETING: 'hi' });
      expect(env.ORCH_TEST_DAEMON_SECRET).toBeUndefined();
      expect(Object.keys(env).sort()).toEqual(['GREETING', 'ORCH_APP', 'ORCH_INSTANCE', 'ORCH_PROJECT', 'PATH', 'PORT']);
    }
    await waitFor(() => h.logText('web').includes(`web#1 out listening on ${port + 1}`), { what: 'log line' });
    expect(h.logText('web')).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z web#\d out listening on \d+$/m);
  });

  it('reports a missing command at once, with a clear reason in the result and the view', async () => {
    const started = Date.now();
    const result = await h.supervisor.create(
      nodeApp('ghost', 'forever.js', [], { command: ['no-such-command-orch'], ready: { type: 'none', timeoutMs: 10_000, delayMs: 5000 } }),
    );
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result).toEqual({ ok: false, reason: 'instance 0: command not found: no-such-command-orch' });
    expect(instance('ghost', 0)?.reason).toBe('command not found: no-such-command-orch');
  });

  it("finds a command on the PATH the file's env sets, as validation does", async () => {
    const bin = mkdtempSync(join(tmpdir(), 'orch-path-'));
    try {
      writeFileSync(join(bin, 'orch-test-prog'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(join(fixtures, 'forever.js'))}\n`, { mode: 0o755 });
      const spec = nodeApp('onpath', 'forever.js', [], {
        command: ['orch-test-prog'],
        env: { PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}` },
        ready: { type: 'none', timeoutMs: 5000, delayMs: 50 },
      });
      expect(await h.supervisor.create(spec)).toEqual({ ok: true });
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it('reports a file without the exec bit as permission denied', async () => {
    const result = await h.supervisor.create(nodeApp('noexec', 'forever.js', [], { command: ['./not-executable.sh'], cwd: fixtures }));
    expect(result).toEqual({ ok: false, reason: 'instance 0: permission denied: ./not-executable.sh' });
  });
});

describe('readiness', () => {
  it('waits for process.send("ready") with ready.type message', async () => {
    const result = await h.supervisor.create(nodeApp('msg', 'ready-message.js', [], { ready: { type: 'message', timeoutMs: 5000 } }));
    expect(result).toEqual({ ok: true });
    expect(instance('msg', 0)?.state).toBe('online');
  });

  it('fails after ready.timeout, stops the process and marks the instance errored', async () => {
    const result = await h.supervisor.create(nodeApp('mute', 'ready-message.js', ['never'], { ready: { type: 'message', timeoutMs: 300 } }));
    expect(result).toEqual({ ok: false, reason: 'instance 0: not ready within 300ms (message)' });
    await waitFor(() => instance('mute', 0)?.state === 'errored', { what: 'errored' });
    expect(instance('mute', 0)?.pid).toBeUndefined();
  });

  // sd_notify from a process that is not Node: orch's datagram socket per instance (unix-dgram).
  it.skipIf(!hasPython)('waits for READY=1 on NOTIFY_SOCKET with ready.type notify, then removes the socket', async () => {
    const marker = join(h.home, 'notify-marker');
    const spec = nodeApp('sd', 'unused', [], { command: ['python3', join(fixtures, 'notify.py'), '300', marker], ready: { type: 'notify', timeoutMs: 5000 } });
    expect(await h.supervisor.create(spec)).toEqual({ ok: true });
    // Online only once the app said so: it wrote "ready" just before sending READY=1.
    const [socketPath, said] = readFileSync(marker, 'utf8').trim().split('\n');
    expect(said).toBe('ready');
    expect(socketPath).toMatch(new RegExp(`^${h.home}/notify/[0-9a-z-]+\\.sock$`));
    expect(instance('sd', 0)?.state).toBe('online');
    expect(existsSync(socketPath!)).toBe(true);
    expect(await h.supervisor.stop('sd')).toEqual({ ok: true });
    await waitFor(() => !existsSync(socketPath!), { what: 'the notify socket to be removed' });
  });

  it.skipIf(!hasPython)('fails after ready.timeout when READY=1 never comes', async () => {
    const marker = join(h.home, 'notify-marker');
    const spec = nodeApp('mute', 'unused', [], { command: ['python3', join(fixtures, 'notify.py'), 'never', marker], ready: { type: 'notify', timeoutMs: 400 } });
    expect(await h.supervisor.create(spec)).toEqual({ ok: false, reason: 'instance 0: not ready within 400ms (notify)' });
    await waitFor(() => instance('mute', 0)?.state === 'errored', { what: 'errored' });
  });

  it('fails with the exit code when the process exits before ready', async () => {
    const result = await h.supervisor.create(
      nodeApp('early', 'crash-after.js', ['10', '7'], { restart: { policy: 'never' }, ready: { type: 'none', delayMs: 2000 } }),
    );
    expect(result).toEqual({ ok: false, reason: 'instance 0: exited with code 7 before ready' });
    expect(instance('early', 0)).toMatchObject({ state: 'stopped', lastExit: { code: 7, signal: null } });
  });
});

describe('crashes', () => {
  it('restarts a crashed instance after the back-off delay', async () => {
    const spec = nodeApp('crashy', 'crash-after.js', ['300', '3'], {
      restart: { backoff: { initialMs: 400, maxMs: 5000, factor: 2 }, minUptimeMs: 10_000 },
      ready: { type: 'none', delayMs: 50 },
    });
    expect(await h.supervisor.create(spec)).toEqual({ ok: true });
    const firstPid = instance('crashy', 0)?.pid;
    const restarted = await waitFor(
      () => {
        const i = instance('crashy', 0);
        return i !== undefined && i.restarts >= 1 && i.pid !== undefined && i.pid !== firstPid ? i : undefined;
      },
      { what: 'respawn', timeout: 5000 },
    );
    expect(restarted.lastExit).toMatchObject({ code: 3, signal: null });
    const delay = (restarted.startedAt ?? 0) - (restarted.lastExit?.at ?? 0);
    expect(delay).toBeGreaterThanOrEqual(380);
    expect(delay).toBeLessThan(1000);
  });

  it('respawns a long-running instance killed with SIGKILL at once; the second crash in the window waits initial', async () => {
    const port = await freePort();
    const spec = nodeApp('steady', 'http-server.js', [], {
      port,
      ready: { type: 'tcp', timeoutMs: 5000 },
      restart: { backoff: { initialMs: 5000, maxMs: 5000, factor: 1 }, minUptimeMs: 200 },
    });
    expect(await h.supervisor.create(spec)).toEqual({ ok: true });
    const first = instance('steady', 0)!;
    await waitFor(() => (Date.now() - (first.startedAt ?? Date.now()) > 300 ? true : undefined), { what: 'a run longer than min_uptime' });
    process.kill(first.pid!, 'SIGKILL');
    const second = await waitFor(
      () => {
        const i = instance('steady', 0);
        return i?.state === 'online' && i.pid !== first.pid ? i : undefined;
      },
      { what: 'respawn', timeout: 4000 },
    );
    // No back-off: the new process started right after the exit, far sooner than initial (5 s).
    expect((second.startedAt ?? 0) - (second.lastExit?.at ?? 0)).toBeLessThan(1000);
    expect(second.restarts).toBe(1);

    await waitFor(() => (Date.now() - (second.startedAt ?? Date.now()) > 300 ? true : undefined), { what: 'a run longer than min_uptime' });
    process.kill(second.pid!, 'SIGKILL');
    const waiting = await waitFor(() => (instance('steady', 0)?.state === 'backoff' ? instance('steady', 0) : undefined), { what: 'back-off' });
    expect(waiting.lastExit).toMatchObject({ signal: 'SIGKILL' });
  });

  it('marks a crash loop errored after max_restarts', async () => {
    const spec = nodeApp('loop', 'crash-after.js', ['0', '1'], {
      restart: { maxRestarts: 3, backoff: { initialMs: 20, maxMs: 20, factor: 1 } },
      ready: { type: 'none', delayMs: 1000 },
    });
    const result = await h.supervisor.create(spec);
    expect(result.ok).toBe(false);
    const errored = await waitFor(() => (instance('loop', 0)?.state === 'errored' ? instance('loop', 0) : undefined), { what: 'errored' });
    expect(errored.reason).toBe('crashed 3 times in 60s (last: exited with code 1 before ready)');
    expect(errored.restarts).toBe(2);
  });
});

describe('stop', () => {
  it('SIGKILLs the whole group after shutdown.timeout when SIGTERM is ignored', async () => {
    const spec = nodeApp('stubborn', 'ignore-sigterm.js', [], { shutdown: { timeoutMs: 500 } });
    expect(await h.supervisor.create(spec)).toEqual({ ok: true });
    const pid = instance('stubborn', 0)?.pid ?? 0;
    const grandchild = Number((await waitFor(() => /grandchild (\d+)/.exec(h.logText('stubborn'))?.[1], { what: 'grandchild pid' })));
    h.extraPids.add(grandchild);
    expect(processAlive(grandchild)).toBe(true);
    const started = Date.now();
    expect(await h.supervisor.stop('stubborn')).toEqual({ ok: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(processAlive(pid)).toBe(false);
    expect(processAlive(grandchild)).toBe(false);
    expect(h.supervisor.app('stubborn')).toMatchObject({ stopped: true, instances: [{ state: 'stopped', lastExit: { signal: 'SIGKILL' } }] });
  });
});

describe('a port another process holds', () => {
  it.each(['tcp', 'http'] as const)('fails the start at once with %s readiness, naming the holder', async (type) => {
    const port = await freePort();
    const foreign = await startForeignListener(port);
    try {
      const started = Date.now();
      const result = await h.supervisor.create(nodeApp('web', 'http-server.js', [], { port, ready: { type, path: '/', timeoutMs: 5000 } }));
      const holder = `port ${port} is in use by pid ${foreign.pid} (${foreign.command})`;
      expect(result).toEqual({ ok: false, reason: `instance 0: ${holder}` });
      expect(Date.now() - started).toBeLessThan(2000);
      expect(instance('web', 0)).toMatchObject({ reason: holder });
      expect(instance('web', 0)?.state).not.toBe('online');
    } finally {
      foreign.stop();
    }
  });

  // The holder appears after the spawn (a race, or an app that never binds): its answers do not
  // count. It lives in this test process, so it listens at once, well within the ready timeout.
  it.each(['tcp', 'http'] as const)('does not count a %s answer from outside the instance process group', async (type) => {
    const port = await freePort();
    const creating = h.supervisor.create(nodeApp('mute', 'forever.js', [], { port, ready: { type, path: '/', timeoutMs: 2000 } }));
    await waitFor(() => instance('mute', 0)?.pid, { what: 'the instance spawned' });
    const foreign = createHttpServer((_req, res) => res.end('not the instance'));
    await new Promise<void>((resolve) => foreign.listen(port, '127.0.0.1', resolve));
    try {
      const probe = type === 'http' ? `http GET 127.0.0.1:${port}/` : `tcp 127.0.0.1:${port}`;
      const holder = `port ${port} is in use by pid ${process.pid} (${commandOf(process.pid)})`;
      expect(await creating).toEqual({ ok: false, reason: `instance 0: not ready within 2000ms (${probe}): ${holder}` });
      await waitFor(() => instance('mute', 0)?.state === 'errored', { what: 'errored' });
    } finally {
      foreign.close();
    }
  });

  it('counts a listener held by a child of the group leader', async () => {
    const port = await freePort();
    // `; true` keeps the shell from exec'ing node: the listener is not the leader.
    const command = ['/bin/sh', '-c', `"${process.execPath}" http-server.js; true`];
    expect(await h.supervisor.create(nodeApp('wrapped', 'unused', [], { command, port, ready: { type: 'tcp', timeoutMs: 5000 } }))).toEqual({ ok: true });
    expect((await httpGet(port)).body).toBe('ok 0\n');
  });
});

describe('never converged in back-off', () => {
  it('fails an operation whose instance crashed into back-off while another was still starting', async () => {
    // Instance 0 is ready at once and crashes 100ms later; instance 1 is ready only after 2s.
    const script = [
      "if (process.env.ORCH_INSTANCE === '0') { process.send('ready'); setTimeout(() => process.exit(1), 100); }",
      "else setTimeout(() => process.send('ready'), 2000);",
      'setInterval(() => {}, 1e9);',
    ].join(' ');
    const spec = nodeApp('flaky', 'unused', [], {
      command: [process.execPath, '-e', script],
      instances: 2,
      ready: { type: 'message', timeoutMs: 5000 },
      restart: { backoff: { initialMs: 10_000, maxMs: 10_000, factor: 1 } },
    });
    expect(await h.supervisor.create(spec)).toEqual({ ok: false, reason: 'instance 0: exited with code 1, now in backoff' });
    expect(instance('flaky', 0)?.state).toBe('backoff');
    expect(instance('flaky', 1)?.state).toBe('online');
  });
});
