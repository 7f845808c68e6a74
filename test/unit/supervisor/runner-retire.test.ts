// A runner retired while an operation restarts it (a memory restart racing the daemon's shutdown:
// both wait for the same stop, and the restart's start() runs first) must leave no process: a leak
// the exit-causes test left behind, a memory-hog owned by pid 1.
import { describe, expect, it } from 'vitest';
import { setup } from './fake-launcher.js';

describe('a retired runner', () => {
  it('kills what a start that began before dispose() spawned, and starts nothing after it', async () => {
    const t = setup();
    await t.runner.start(true);
    const first = t.launched[0]!;
    // The memory restart: stop, then start again.
    const restart = (async () => {
      await t.runner.stop('memory', 'memory');
      return t.runner.start(false);
    })();
    // The shutdown's retire(): the same stop, then dispose.
    const retire = (async () => {
      await t.runner.stop();
      t.runner.dispose();
    })();
    first.exit({ code: null, signal: 'SIGTERM' });
    await Promise.all([restart, retire]);
    for (const child of t.launched.slice(1)) expect(child.killed).toBe(true);
    expect(await t.runner.start(true)).toMatchObject({ ok: false });
    expect(t.launched.slice(1).every((c) => c.killed)).toBe(true);
  });
});
