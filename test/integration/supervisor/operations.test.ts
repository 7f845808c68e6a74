import { afterEach, describe, expect, it } from 'vitest';
import { freePortRange } from '../../helpers/ports.js';
import { waitFor } from '../../helpers/wait-for.js';
import { createHarness, type Harness, nodeApp, processAlive } from './harness.js';

let h: Harness | undefined;
const harness = (options?: { memoryIntervalMs?: number }): Harness => (h = createHarness(options));
afterEach(async () => {
  await h?.teardown();
  h = undefined;
});

const states = (h: Harness, app: string) => h.supervisor.app(app)?.instances.map((i) => i.state);

describe('scale', () => {
  it('starts and stops only the instances past the common count', async () => {
    const { supervisor, pids } = harness();
    const spec = nodeApp('pool', 'forever.js', [], { instances: 2 });
    expect(await supervisor.create(spec)).toEqual({ ok: true });
    const [p0, p1] = pids('pool');
    expect(await supervisor.scale({ ...spec, instances: 4 })).toEqual({ ok: true });
    const up = pids('pool');
    expect(up.slice(0, 2)).toEqual([p0, p1]);
    expect(new Set(up).size).toBe(4);
    expect(await supervisor.scale({ ...spec, instances: 1 })).toEqual({ ok: true });
    expect(pids('pool')).toEqual([p0]);
    expect(supervisor.app('pool')?.spec.instances).toBe(1);
  });
});

describe('restart', () => {
  it('replaces every process', async () => {
    const { supervisor, pids } = harness();
    const spec = nodeApp('svc', 'forever.js', [], { instances: 2 });
    await supervisor.create(spec);
    const before = pids('svc');
    expect(await supervisor.restart({ ...spec, env: { V: '2' } })).toEqual({ ok: true });
    const after = pids('svc');
    expect(after.every((p) => p !== undefined && !before.includes(p))).toBe(true);
    expect(supervisor.app('svc')?.spec.env).toEqual({ V: '2' });
    expect(states(h!, 'svc')).toEqual(['online', 'online']);
  });
});

describe('stop and start', () => {
  it('keeps a stopped app without restarting it, and start brings it back', async () => {
    const { supervisor } = harness();
    await supervisor.create(nodeApp('idle', 'forever.js', [], { instances: 2 }));
    expect(await supervisor.stop('idle')).toEqual({ ok: true });
    expect(supervisor.app('idle')).toMatchObject({ stopped: true, instances: [{ state: 'stopped', pid: undefined }, { state: 'stopped' }] });
    expect(await supervisor.start('idle')).toEqual({ ok: true });
    expect(supervisor.app('idle')?.stopped).toBe(false);
    expect(states(h!, 'idle')).toEqual(['online', 'online']);
    expect(await supervisor.remove('idle')).toEqual({ ok: true });
    expect(supervisor.app('idle')).toBeUndefined();
    expect(await supervisor.start('idle')).toEqual({ ok: false, reason: 'unknown app: idle' });
  });
});

describe('reload', () => {
  it('replaces instances one at a time with the new spec', async () => {
    const { supervisor, pids } = harness();
    const spec = nodeApp('roll', 'forever.js', [], { instances: 2 });
    await supervisor.create(spec);
    const before = pids('roll');
    expect(await supervisor.reload({ ...spec, env: { V: '2' } })).toEqual({ ok: true });
    const after = pids('roll');
    expect(after.every((p) => p !== undefined && !before.includes(p))).toBe(true);
    expect(states(h!, 'roll')).toEqual(['online', 'online']);
    expect(supervisor.app('roll')?.spec.env).toEqual({ V: '2' });
  });

  it('keeps the old processes and marks them rollback when a new one fails', async () => {
    const { supervisor, pids } = harness();
    const spec = nodeApp('fragile', 'forever.js', [], { instances: 2 });
    await supervisor.create(spec);
    const before = pids('fragile');
    const broken = nodeApp('fragile', 'crash-after.js', ['10', '2'], { instances: 2, ready: { type: 'none', delayMs: 500 } });
    const result = await supervisor.reload(broken);
    expect(result).toEqual({ ok: false, reason: 'reload rolled back: instance 0: exited with code 2 before ready' });
    expect(pids('fragile')).toEqual(before);
    const view = supervisor.app('fragile');
    expect(view?.spec.command).toEqual(spec.command);
    expect(view?.instances.map((i) => [i.state, i.reason])).toEqual([
      ['rollback', result.ok ? '' : result.reason],
      ['rollback', result.ok ? '' : result.reason],
    ]);
    // `start` accepts the old processes as they are.
    expect(await supervisor.start('fragile')).toEqual({ ok: true });
    expect(states(h!, 'fragile')).toEqual(['online', 'online']);
    expect(pids('fragile')).toEqual(before);
  });

  it('stops then starts each instance when fork instances own a port, restoring the old one on failure', async () => {
    const { supervisor, pids } = harness();
    const port = await freePortRange(2);
    const spec = nodeApp('ported', 'http-server.js', [], { instances: 2, port, ready: { type: 'tcp', timeoutMs: 5000 } });
    expect(await supervisor.create(spec)).toEqual({ ok: true });
    const before = pids('ported');
    expect(await supervisor.reload({ ...spec, env: { V: '2' } })).toEqual({ ok: true });
    const middle = pids('ported');
    expect(middle.every((p) => !before.includes(p))).toBe(true);
    const result = await supervisor.reload({ ...spec, env: { V: '3' }, command: ['no-such-command-orch'] });
    expect(result).toEqual({ ok: false, reason: 'reload rolled back: instance 0: command not found: no-such-command-orch' });
    expect(pids('ported')[1]).toBe(middle[1]);
    expect(states(h!, 'ported')).toEqual(['rollback', 'rollback']);
    expect(supervisor.app('ported')?.spec.env).toEqual({ V: '2' });
  });
});

describe('one road for every restart', () => {
  it('respawns an instance that crashed during a reload once the reload is done, exactly once', async () => {
    const { supervisor, pids } = harness();
    const spec = nodeApp('roll', 'forever.js', [], { instances: 2, restart: { backoff: { initialMs: 50, maxMs: 50, factor: 1 } } });
    expect(await supervisor.create(spec)).toEqual({ ok: true });
    const before = pids('roll');
    // Each new process takes 1s to be ready: the reload holds the app's queue for about 2s.
    const next = { ...spec, env: { V: '2' }, ready: { ...spec.ready, delayMs: 1000 } };
    const reloaded = supervisor.reload(next).then((result) => ({ result, at: Date.now() }));
    // Instance 0 is replaced first; its new process crashes while instance 1 is being replaced.
    const replaced = await waitFor(
      () => {
        const i = supervisor.app('roll')?.instances[0];
        return i?.state === 'online' && i.pid !== undefined && i.pid !== before[0] ? i.pid : undefined;
      },
      { what: 'instance 0 replaced', timeout: 10_000 },
    );
    process.kill(replaced, 'SIGKILL');
    const { result, at } = await reloaded;
    // The crash is not covered up: the reload ends with instance 0 waiting for its respawn.
    expect(result).toEqual({ ok: false, reason: 'instance 0: killed by SIGKILL, now in backoff' });
    const respawned = await waitFor(
      () => {
        const i = supervisor.app('roll')?.instances[0];
        return i?.state === 'online' && i.pid !== replaced ? i : undefined;
      },
      { what: 'instance 0 respawned', timeout: 10_000 },
    );
    // Respawned through the app's queue: after the reload, not during it.
    expect(respawned.startedAt).toBeGreaterThanOrEqual(at);
    // One more operation through the queue: any second respawn queued meanwhile would run first.
    expect(await supervisor.scale(next)).toEqual({ ok: true });
    expect(supervisor.app('roll')?.instances[0]).toMatchObject({ state: 'online', pid: respawned.pid, restarts: respawned.restarts });
    expect(respawned.restarts).toBe(1);
    expect(supervisor.app('roll')?.spec.env).toEqual({ V: '2' });
  });
});

describe('max_memory', () => {
  it('restarts an instance whose RSS exceeds the limit', async () => {
    const { supervisor, pids } = harness({ memoryIntervalMs: 200 });
    const spec = nodeApp('hog', 'memory-hog.js', ['80'], { maxMemoryBytes: 50 * 1024 * 1024, restart: { minUptimeMs: 0 } });
    expect(await supervisor.create(spec)).toEqual({ ok: true });
    const [first] = pids('hog');
    const restarted = await waitFor(
      () => {
        const i = supervisor.app('hog')?.instances[0];
        return i !== undefined && i.restarts >= 1 && i.pid !== first && i.state === 'online' ? i : undefined;
      },
      { what: 'memory restart', timeout: 10_000 },
    );
    expect(restarted.reason).toMatch(/^memory \d+M > max_memory 50M$/);
  });
});

describe('serialization', () => {
  it('runs concurrent operations on one app in call order', async () => {
    const { supervisor } = harness();
    const spec = nodeApp('busy', 'forever.js');
    const results = await Promise.all([supervisor.create(spec), supervisor.stop('busy'), supervisor.start('busy'), supervisor.remove('busy')]);
    expect(results).toEqual([{ ok: true }, { ok: true }, { ok: true }, { ok: true }]);
    expect(supervisor.apps()).toEqual([]);
  });
});

describe('shutdown', () => {
  it('stops every instance of every app and refuses new operations', async () => {
    const { supervisor, pids } = harness();
    await Promise.all([supervisor.create(nodeApp('a', 'forever.js', [], { instances: 2 })), supervisor.create(nodeApp('b', 'forever.js'))]);
    const all = [...pids('a'), ...pids('b')];
    expect(all).toHaveLength(3);
    await supervisor.shutdown();
    expect(all.filter((p) => p !== undefined && processAlive(p))).toEqual([]);
    expect(await supervisor.create(nodeApp('c', 'forever.js'))).toEqual({ ok: false, reason: 'the supervisor is shutting down' });
  });
});
