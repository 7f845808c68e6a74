// The runner's side of a successor (ExitInfo.successor): a process a launcher started in place of
// one that exited unasked, before the runner decided. The runner adopts it only as the free
// respawn its own policy decided, for the spec it was started with; every other road refuses it.
import { describe, expect, it } from 'vitest';
import { fakeSuccessor, setup, spec } from './fake-launcher.js';

/** An instance that ran 5 s (past min_uptime) and was SIGKILLed; its launcher started a successor. */
const killedAfterLongRun = async () => {
  const t = setup();
  await t.runner.start(true);
  t.advance(5000);
  const s = fakeSuccessor();
  t.launched[0]!.exit({ code: null, signal: 'SIGKILL', successor: s.successor });
  await t.settle();
  return { t, s };
};

describe('a successor started by the launcher', () => {
  it('is armed with the free restart of the policy and history, and adopted as the free respawn', async () => {
    const t = setup();
    expect(await t.runner.start(true)).toEqual({ ok: true });
    const first = t.launched[0]!;
    expect(first.armed).toEqual([{ after: 1_000_000 + 1000, onFailureOnly: false }]);
    t.advance(5000);
    const s = fakeSuccessor();
    first.exit({ code: null, signal: 'SIGKILL', successor: s.successor });
    await t.settle();
    await t.runQueued();
    expect(s.verdict()).toBe('adopted');
    expect(t.launched).toHaveLength(1); // nothing launched beside it
    expect(t.runner.current).toMatchObject({ state: 'online', pid: s.child.handle.pid, restarts: 1 });
    // The adopted one is armed in its turn, with the crash it replaced in the window.
    expect(s.child.armed).toEqual([{ after: 1_000_000 + 5000 + 60_000, onFailureOnly: false }]);
  });

  it('is refused when the policy waits a back-off (an exit before min_uptime), and the respawn launches', async () => {
    const t = setup();
    await t.runner.start(true);
    t.advance(10); // shorter than min_uptime: not free, whatever the launcher thought
    const s = fakeSuccessor();
    t.launched[0]!.exit({ code: 1, signal: null, successor: s.successor });
    await t.settle();
    expect(s.verdict()).toBe('refused');
    expect(t.runner.current.state).toBe('backoff');
  });

  it('is refused for an exit the runner asked for', async () => {
    const t = setup();
    await t.runner.start(true);
    t.advance(5000);
    const s = fakeSuccessor();
    const first = t.launched[0]!;
    // A stop whose exit comes back with a successor (a primary that saw the death before our stop).
    const stopping = t.runner.stop();
    first.exit({ code: null, signal: 'SIGKILL', successor: s.successor });
    await stopping;
    await t.settle();
    expect(s.verdict()).toBe('refused');
    expect(t.runner.current.state).toBe('stopped');
  });

  it('is refused when the instance is stopped before the respawn runs', async () => {
    const { t, s } = await killedAfterLongRun();
    expect(s.verdict()).toBeUndefined(); // waiting for the respawn
    await t.runner.stop();
    expect(s.verdict()).toBe('refused');
    await t.runQueued();
    expect(t.launched).toHaveLength(1);
    expect(t.runner.current.state).toBe('stopped');
  });

  it('is refused when the spec changed since it was started, and the respawn launches the new spec', async () => {
    const { t, s } = await killedAfterLongRun();
    t.runner.spec = spec({ env: { CHANGED: '1' } });
    await t.runQueued();
    expect(s.verdict()).toBe('refused');
    expect(t.launched).toHaveLength(2);
    expect(t.runner.current).toMatchObject({ state: 'online', pid: t.launched[1]!.handle.pid });
  });

  it('is never armed where no exit is free (policy never)', async () => {
    const t = setup(spec({ restart: { policy: 'never' } }));
    await t.runner.start(true);
    expect(t.launched[0]!.armed).toEqual([]);
  });
});
