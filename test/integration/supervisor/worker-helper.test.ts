import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../helpers/ports.js';
import { waitFor } from '../../helpers/wait-for.js';
import { createHarness, type Harness, nodeApp, processAlive } from './harness.js';
import { getOnce, pidOf } from './shared-port.js';

let h: Harness | undefined;
const harness = (): Harness => (h = createHarness());
afterEach(async () => {
  await h?.teardown();
  h = undefined;
});

const helperApp = (port: number, instances = 1) =>
  nodeApp('helped', 'worker-app.js', [], { mode: 'cluster', port, instances, ready: { type: 'message' }, shutdown: { timeoutMs: 3000 } });

describe('orch/worker', () => {
  it('reports ready and runs the shutdown handler when a reload retires the worker', async () => {
    const { supervisor, pids, logText } = harness();
    const port = await freePort();
    const spec = helperApp(port);
    expect(await supervisor.create(spec)).toEqual({ ok: true });
    const [old] = pids('helped');
    expect(await supervisor.reload({ ...spec, env: { V: '2' } })).toEqual({ ok: true });
    expect(pids('helped')[0]).not.toBe(old);
    await waitFor(() => logText('helped').includes(`shutdown handler in ${old}`), { what: 'the shutdown handler' });
    expect(processAlive(old!)).toBe(false);
  });

  it('replaces a worker that hit an uncaught exception at once, while it drains', async () => {
    const { supervisor, pids } = harness();
    const port = await freePort();
    expect(await supervisor.create(helperApp(port, 2))).toEqual({ ok: true });
    const before = pids('helped');
    // Whichever worker answers /boom is the one that fails.
    const target = await waitFor(async () => {
      const answer = await getOnce(port, '/boom');
      return answer.status === 200 ? true : undefined;
    });
    expect(target).toBe(true);
    const after = await waitFor(() => {
      const now = pids('helped');
      const states = h?.supervisor.app('helped')?.instances.map((i) => i.state);
      return now.filter((p) => before.includes(p)).length === 1 && states?.every((s) => s === 'online') ? now : undefined;
    }, { what: 'the failed worker replaced' });
    const failed = before.find((p) => !after.includes(p));
    expect(failed).toBeDefined();
    await waitFor(() => !processAlive(failed!), { what: 'the failed worker gone' });
    expect(after).toContain(await pidOf(port));
  });

  it('is harmless outside orch', async () => {
    const worker = resolve(import.meta.dirname, '../../../dist/worker.js');
    const script = `import(${JSON.stringify(worker)}).then((m) => { m.ready(); m.onShutdown(() => {}); console.log('fine'); })`;
    const out = await new Promise<{ code: number | null; stdout: string }>((done) => {
      const child = execFile(process.execPath, ['-e', script], { timeout: 10_000 }, (_err, stdout) => done({ code: child.exitCode, stdout }));
    });
    expect(out).toEqual({ code: 0, stdout: 'fine\n' });
  });
});
