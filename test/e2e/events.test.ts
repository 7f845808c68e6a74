// `orch events` through the built binary (SPEC §12): exits with their cause, back-offs with their
// delay, applies with their generation; --since, -f as JSON lines; the log survives a daemon
// restart; `orch describe` shows the same events. And `daemon start --metrics` refuses a public address.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { orchBin, repoRoot } from '../helpers/sandbox.js';
import { sandboxPerTest } from '../helpers/sandbox-per-test.js';
import { waitFor } from '../helpers/wait-for.js';

const crashOnce = join(repoRoot, 'test/fixtures/apps/crash-once.js');
const sb = sandboxPerTest();

interface EventJson {
  seq: number;
  time: string;
  app: string;
  instance: number | null;
  type: string;
  cause?: string;
  code?: number | null;
  delayMs?: number;
  generation?: number;
  action?: string;
  status?: string;
}

const eventsOf = async (...args: string[]): Promise<EventJson[]> => {
  const r = await sb.orch(['events', ...args, '--output', 'json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as EventJson[];
};

const writeApp = () =>
  sb.write(
    'ecosystem.yaml',
    `version: 1\nname: ev\napps:\n  crashy:\n    run: [node, ${crashOnce}, ${join(sb.dir, 'marker')}]\n    ready: { type: none, delay: 0ms }\n    restart: { backoff: { initial: 100ms } }\n`,
  );

describe('orch events', () => {
  it('tells the crash (with its cause), the back-off (with its delay), the apply (with its generation), and survives a daemon restart', { timeout: 60_000 }, async () => {
    writeApp();
    expect((await sb.orch(['apply'])).code).toBe(0);
    const events = await waitFor(
      async () => {
        const list = await eventsOf('crashy');
        return list.filter((e) => e.type === 'ready').length >= 2 ? list : undefined;
      },
      { timeout: 20_000, interval: 100, what: 'a crash and a restart' },
    );
    const types = events.map((e) => e.type);
    expect(types.slice(0, 3).sort()).toEqual(['applied', 'ready', 'started']);
    expect(events.find((e) => e.type === 'applied')).toMatchObject({ instance: null, generation: 1, action: 'create', status: 'ok' });
    expect(events.find((e) => e.type === 'exited')).toMatchObject({ instance: 0, code: 1, cause: 'crash' });
    expect(events.find((e) => e.type === 'backoff')?.delayMs).toBeGreaterThanOrEqual(0);
    expect(types.indexOf('exited')).toBeLessThan(types.indexOf('backoff'));
    expect(types.indexOf('backoff')).toBeLessThan(types.indexOf('restarting'));
    expect(events.map((e) => e.seq)).toEqual([...events.map((e) => e.seq)].sort((a, b) => a - b));

    // describe shows the latest ones too.
    const d = await sb.orch(['describe', 'crashy', '--output', 'json']);
    expect((JSON.parse(d.stdout) as { events: { type: string }[] }).events.map((e) => e.type)).toContain('applied');

    // A stop is an exit orch asked for.
    expect((await sb.orch(['stop', 'crashy'])).code).toBe(0);
    const stopped = (await eventsOf('crashy')).filter((e) => e.type === 'exited').at(-1);
    expect(stopped).toMatchObject({ cause: 'stop' });

    // --since: nothing in the future, everything since before the apply.
    expect(await eventsOf('--since', new Date(Date.now() + 60_000).toISOString())).toEqual([]);
    expect((await eventsOf('--since', '10m')).length).toBe((await eventsOf()).length);

    // The daemon restarts: the log is read back from ORCH_HOME/events/.
    const before = (await eventsOf('crashy')).map(({ seq: _s, ...e }) => e);
    expect((await sb.orch(['daemon', 'stop'])).code).toBe(0);
    const after = (await eventsOf('crashy')).map(({ seq: _s, ...e }) => e);
    expect(after.slice(0, before.length)).toEqual(before);

    const human = await sb.orch(['events', 'crashy']);
    expect(human.stdout).toMatch(/exited with code 1 \(crash\)/);
    expect(human.stdout).toMatch(/applied generation 1 of ev \(create ok\)/);
  });

  it('-f prints new events as JSON lines as they happen', { timeout: 60_000 }, async () => {
    writeApp();
    expect((await sb.orch(['daemon', 'start'])).code).toBe(0);
    const follower = spawn(process.execPath, [orchBin, 'events', '-f', '--output', 'json'], { cwd: sb.dir, env: sb.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    follower.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      expect((await sb.orch(['apply'])).code).toBe(0);
      await waitFor(() => out.split('\n').some((l) => l.includes('"restarting"')), { timeout: 20_000, what: 'the followed restart' });
      const lines = out.trim().split('\n').map((l) => JSON.parse(l) as EventJson);
      expect(lines.map((e) => e.type)).toEqual(expect.arrayContaining(['started', 'exited', 'backoff', 'restarting']));
      expect(lines.every((e) => e.app === 'crashy')).toBe(true);
    } finally {
      follower.kill('SIGKILL');
    }
  });

  it('-f waits for a daemon that went away, and goes on once it is back, printing nothing twice', { timeout: 60_000 }, async () => {
    writeApp();
    expect((await sb.orch(['apply'])).code).toBe(0);
    const follower = spawn(process.execPath, [orchBin, 'events', 'crashy', '-f', '--output', 'json'], { cwd: sb.dir, env: sb.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    follower.stdout.on('data', (d: Buffer) => (out += d.toString()));
    follower.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => follower.once('exit', (code) => resolve(code)));
    const lines = (): EventJson[] => out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as EventJson);
    try {
      await waitFor(() => lines().some((e) => e.type === 'restarting'), { timeout: 20_000, what: 'the first events' });
      const pid = Number((await sb.orch(['daemon', 'status', '--output', 'json'])).stdout.match(/"pid": (\d+)/)?.[1]);
      process.kill(pid, 'SIGKILL');
      await waitFor(() => err.includes('waiting for it'), { timeout: 10_000, what: 'the follower saying it waits' });
      expect(await Promise.race([exited, new Promise((r) => setTimeout(() => r('running'), 300))])).toBe('running');
      // A new daemon (its own seq numbers) and a new event: a restart of the app.
      expect((await sb.orch(['restart', 'crashy'])).code).toBe(0);
      await waitFor(() => lines().filter((e) => e.type === 'started').length >= 3, { timeout: 20_000, what: 'the event after the daemon came back' });
      expect(err).toMatch(/following again/);
      const keys = lines().map(({ seq: _s, ...e }) => JSON.stringify(e));
      expect(new Set(keys).size).toBe(keys.length);
    } finally {
      follower.kill('SIGKILL');
    }
  });

  it('an unknown app exits 2; a malformed --since exits 2', async () => {
    const unknown = await sb.orch(['events', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no app named 'nope'/);
    const since = await sb.orch(['events', '--since', 'yesterday']);
    expect(since.code).toBe(2);
    expect(since.stderr).toMatch(/--since takes a duration/);
  });
});

describe('orch daemon start --metrics', () => {
  it('refuses a non-loopback address without --metrics-public, and starts nothing', async () => {
    const r = await sb.orch(['daemon', 'start', '--metrics', '0.0.0.0:9464']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a loopback address.*--metrics-public/);
    expect((await sb.orch(['daemon', 'status', '--output', 'json'])).stdout).toMatch(/"running": false/);
  });
});
