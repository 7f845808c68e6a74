// The supervisor says why each process ended (the `cause` of `exited` events, SPEC §12's "why:
// crash, stop, memory, reload", and restart), on a real supervisor with real processes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Supervisor } from '../../../src/supervisor/supervisor.js';
import type { AppEvent } from '../../../src/supervisor/types.js';
import { nodeApp } from '../supervisor/harness.js';
import { waitFor } from '../../helpers/wait-for.js';

let sup: Supervisor | undefined;
let home: string | undefined;
afterEach(async () => {
  await sup?.shutdown();
  if (home !== undefined) rmSync(home, { recursive: true, force: true });
  sup = undefined;
  home = undefined;
});

const start = (): AppEvent[] => {
  const events: AppEvent[] = [];
  home = mkdtempSync(join(tmpdir(), 'orch-causes-'));
  sup = new Supervisor({ home, logger: pino({ level: 'silent' }), memoryIntervalMs: 100, onEvent: (e) => events.push(e) });
  return events;
};
const exits = (events: AppEvent[]) => events.filter((e) => e.type === 'exited').map((e) => e.cause);

describe('exit causes', () => {
  it('crash, then stop', async () => {
    const events = start();
    const spec = nodeApp('c', 'crash-after.js', ['50', '3'], { ready: { type: 'none', delayMs: 0 }, restart: { policy: 'on-failure' } });
    await sup!.create(spec);
    await waitFor(() => events.some((e) => e.type === 'backoff'), { what: 'a back-off' });
    expect(events.find((e) => e.type === 'exited')).toMatchObject({ code: 3, requested: false, cause: 'crash' });
    expect(events.find((e) => e.type === 'backoff')?.delayMs).toBeGreaterThanOrEqual(0);
    const f = nodeApp('f', 'forever.js', [], { ready: { type: 'none', delayMs: 0 } });
    await sup!.create(f);
    await sup!.stop('f');
    expect(exits(events.filter((e) => e.app === 'f'))).toEqual(['stop']);
  });

  it('reload replaces the old process: its exit says reload', async () => {
    const events = start();
    const spec = nodeApp('r', 'forever.js', [], { ready: { type: 'none', delayMs: 0 } });
    expect((await sup!.create(spec)).ok).toBe(true);
    expect((await sup!.reload({ ...spec, env: { V: '2' } })).ok).toBe(true);
    expect(exits(events)).toEqual(['reload']);
  });

  it('restart: the exits of the instances started again say restart, those it removes stop', async () => {
    const events = start();
    const spec = nodeApp('s', 'forever.js', [], { ready: { type: 'none', delayMs: 0 }, instances: 2 });
    expect((await sup!.create(spec)).ok).toBe(true);
    expect((await sup!.restart({ ...spec, instances: 1 })).ok).toBe(true);
    const causes = events.filter((e) => e.type === 'exited').map((e) => [e.instance, e.cause]);
    expect(causes.sort()).toEqual([
      [0, 'restart'],
      [1, 'stop'],
    ]);
  });

  it('over max_memory: the exit says memory', async () => {
    const events = start();
    const spec = nodeApp('m', 'memory-hog.js', ['64'], { ready: { type: 'none', delayMs: 0 }, maxMemoryBytes: 16 * 1024 * 1024 });
    await sup!.create(spec);
    await waitFor(() => events.some((e) => e.type === 'exited'), { timeout: 10_000, what: 'a memory restart' });
    expect(events.find((e) => e.type === 'exited')?.cause).toBe('memory');
  });
});
