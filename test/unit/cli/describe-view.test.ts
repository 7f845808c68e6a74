import { describe, expect, it } from 'vitest';
import { describeJson, eventText, renderDescribe } from '../../../src/cli/describe-view.js';
import type { Result } from '../../../src/daemon/protocol.js';
import { spec } from '../reconcile/builders.js';

const answer = (): Result<'describe'> => ({
  app: {
    spec: spec({ name: 'api', port: 3000, env: { SECRET: 's3', MODE: 'x' } }),
    stopped: false,
    instances: [{ index: 0, state: 'online', pid: 42, startedAt: 1_000, restarts: 1, port: 3000, lastExit: { code: 1, signal: null, at: 500 }, reason: undefined }],
  },
  stats: { '42': { cpu: 1.26, memory: 2048 } },
  generation: 7,
  events: [
    { time: 0, app: 'api', instance: 0, type: 'exited', pid: 41, code: 1, signal: null, requested: false },
    { time: 10, app: 'api', instance: 0, type: 'started', pid: 42 },
    { time: 20, app: 'api', instance: null, type: 'rolled-back', reason: 'instance 1: timeout' },
  ],
});

describe('describeJson', () => {
  it("speaks the file's terms and hides env values unless asked", () => {
    const d = describeJson(answer(), { showEnv: false, now: 3_000 });
    expect(d).toMatchObject({ name: 'api', generation: 7, stopped: false });
    expect(d.spec.env).toEqual({ SECRET: null, MODE: null });
    expect(d.spec).toMatchObject({ port: 3000, mode: 'fork' });
    expect(d.instances[0]).toMatchObject({ pid: 42, uptime_ms: 2_000, cpu: 1.3, memory: 2048, last_exit: { code: 1 } });
    expect(d.events.map((e) => e.time)).toEqual(['1970-01-01T00:00:00.000Z', '1970-01-01T00:00:00.010Z', '1970-01-01T00:00:00.020Z']);
    expect(describeJson(answer(), { showEnv: true, now: 0 }).spec.env).toEqual({ SECRET: 's3', MODE: 'x' });
  });

  it('renders without values, with the events in words', () => {
    const text = renderDescribe(describeJson(answer(), { showEnv: false, now: 3_000 }), false);
    expect(text).toMatch(/^env:\s+MODE, SECRET {2}\(values hidden: --show-env\)$/m);
    expect(text).not.toMatch(/s3/);
    expect(text).toMatch(/exited with code 1 \(pid 41\)/);
    expect(text).toMatch(/rolled-back: instance 1: timeout/);
  });
});

describe('eventText', () => {
  it.each([
    [{ time: '', instance: 0, type: 'exited', pid: 5, code: null, signal: 'SIGTERM', requested: true }, 'exited by SIGTERM, as asked (pid 5)'],
    [{ time: '', instance: 0, type: 'restarting', restarts: 3 }, 'restarting after back-off (restart 3)'],
    [{ time: '', instance: 0, type: 'ready-failed', pid: 5, reason: 'timeout' }, 'ready-failed (pid 5): timeout'],
  ] as const)('%j', (e, text) => {
    expect(eventText(e)).toBe(text);
  });
});
