// orch_process_restarts_total counts every restart of an instance, by reason (crash, memory, or
// restart: asked for), so that its sum per instance is the instance's RESTARTS in `orch status`.
// On a real supervisor, then on a real daemon driven by the CLI (`orch restart`, a SIGKILL).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { OrchMetrics } from '../../../src/daemon/metrics.js';
import { Supervisor } from '../../../src/supervisor/supervisor.js';
import type { AppEvent } from '../../../src/supervisor/types.js';
import { createSandbox, repoRoot, type Sandbox } from '../../helpers/sandbox.js';
import { waitFor } from '../../helpers/wait-for.js';
import { nodeApp } from '../supervisor/harness.js';

const promtool = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' }).stdout.trim();
const why = promtool === '' ? ' (SKIPPED: promtool not installed; apt-get install prometheus, as .ci/run does)' : '';

/** reason → value of orch_process_restarts_total for one instance, from the text. */
const restartCounts = (text: string, app: string, instance = 0): Record<string, number> => {
  const counts: Record<string, number> = {};
  const line = new RegExp(`^orch_process_restarts_total\\{project="[^"]*",app="${app}",instance="${instance}",reason="([a-z]+)"\\} (\\d+)$`, 'gm');
  for (const m of text.matchAll(line)) counts[m[1]!] = Number(m[2]);
  return counts;
};
const sum = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0);

describe('restarts by reason, on a real supervisor', () => {
  let sup: Supervisor | undefined;
  let home: string | undefined;
  afterEach(async () => {
    await sup?.shutdown();
    if (home !== undefined) rmSync(home, { recursive: true, force: true });
    sup = undefined;
    home = undefined;
  });

  const start = (): { supervisor: Supervisor; metrics: OrchMetrics; events: AppEvent[] } => {
    const events: AppEvent[] = [];
    home = mkdtempSync(join(tmpdir(), 'orch-restarts-'));
    // The daemon's wiring (src/daemon/main.ts): the view for the scrape, every event to observe().
    const metrics = new OrchMetrics({ apps: () => supervisor.apps(), projectOf: (name) => supervisor.app(name)?.spec.project, sample: async () => ({}) });
    const supervisor = new Supervisor({
      home,
      logger: pino({ level: 'silent' }),
      memoryIntervalMs: 100,
      onEvent: (e) => {
        events.push(e);
        metrics.observe(e);
      },
    });
    sup = supervisor;
    return { supervisor, metrics, events };
  };

  it('restart, stop then start, a rolling reload and a SIGKILL: restart 2, crash 1, the sum is the RESTARTS', async () => {
    const { supervisor, metrics } = start();
    const spec = nodeApp('a', 'forever.js', [], { ready: { type: 'none', delayMs: 0 } });
    const restarts = (): number | undefined => supervisor.app('a')?.instances[0]?.restarts;
    const agrees = async (expected: Record<string, number>): Promise<void> => {
      const counts = restartCounts(await metrics.text(), 'a');
      expect(counts).toEqual(expected);
      expect(sum(counts)).toBe(restarts());
    };
    expect((await supervisor.create(spec)).ok).toBe(true);
    await agrees({ crash: 0, memory: 0, restart: 0 });

    expect((await supervisor.restart(spec)).ok).toBe(true);
    await agrees({ crash: 0, memory: 0, restart: 1 });

    expect((await supervisor.stop('a')).ok).toBe(true);
    expect((await supervisor.start('a')).ok).toBe(true);
    await agrees({ crash: 0, memory: 0, restart: 2 });

    // A rolling reload replaces the process by a new one: no restart (orch_reloads_total counts it).
    expect((await supervisor.reload({ ...spec, env: { V: '2' } })).ok).toBe(true);
    await agrees({ crash: 0, memory: 0, restart: 2 });

    const pid = supervisor.app('a')!.instances[0]!.pid!;
    process.kill(pid, 'SIGKILL');
    await waitFor(() => {
      const i = supervisor.app('a')?.instances[0];
      return i?.state === 'online' && i.pid !== pid;
    }, { what: 'the killed instance to be restarted' });
    await agrees({ crash: 1, memory: 0, restart: 2 });
  });

  it('over max_memory: memory restarts, the sum is the RESTARTS', async () => {
    const { supervisor, metrics } = start();
    const spec = nodeApp('m', 'memory-hog.js', ['64'], { ready: { type: 'none', delayMs: 0 }, maxMemoryBytes: 16 * 1024 * 1024 });
    await supervisor.create(spec);
    await waitFor(() => (supervisor.app('m')?.instances[0]?.restarts ?? 0) >= 1, { timeout: 10_000, what: 'a memory restart' });
    // Stopped, nothing moves: the counts and the RESTARTS are read at rest.
    await supervisor.stop('m');
    const counts = restartCounts(await metrics.text(), 'm');
    expect(counts.memory).toBeGreaterThanOrEqual(1);
    expect(counts.restart).toBe(0);
    expect(sum(counts)).toBe(supervisor.app('m')?.instances[0]?.restarts);
  });
});

describe('restarts by reason, on a real daemon', () => {
  let sb: Sandbox | undefined;
  afterEach(async () => {
    await sb?.cleanup();
    sb = undefined;
  });

  interface StatusJson {
    apps: { name: string; instances: { index: number; pid: number | null; state: string; restarts: number }[] }[];
  }

  /** `orch restart web`, then a SIGKILL of its process: the metrics text and web's instance 0 after both. */
  const restartedThenKilled = async (box: Sandbox): Promise<{ text: string; restarts: number; events: { type: string; cause?: string }[] }> => {
    box.write('ecosystem.yaml', `version: 1\nname: seen\napps:\n  web:\n    run: [node, ${join(repoRoot, 'test/fixtures/apps/forever.js')}]\n    ready: { type: none, delay: 0ms }\n    restart: { backoff: { initial: 100ms } }\n`);
    const status = async (): Promise<StatusJson['apps'][number]['instances'][number] | undefined> =>
      (JSON.parse((await box.orch(['status', '--output', 'json'])).stdout) as StatusJson).apps.find((a) => a.name === 'web')?.instances[0];
    const applied = await box.orch(['apply']);
    expect(applied.code, applied.stderr + applied.stdout).toBe(0);
    const restarted = await box.orch(['restart', 'web']);
    expect(restarted.code, restarted.stderr + restarted.stdout).toBe(0);
    expect(restartCounts((await box.orch(['metrics'])).stdout, 'web')).toEqual({ crash: 0, memory: 0, restart: 1 });

    const before = await status();
    expect(before).toMatchObject({ state: 'online', restarts: 1 });
    process.kill(before!.pid!, 'SIGKILL');
    const after = await waitFor(async () => {
      const i = await status();
      return i?.state === 'online' && i.pid !== before!.pid ? i : undefined;
    }, { timeout: 20_000, interval: 100, what: 'web to be restarted after its SIGKILL' });
    const text = (await box.orch(['metrics'])).stdout;
    const events = JSON.parse((await box.orch(['events', 'web', '--output', 'json'])).stdout) as { type: string; cause?: string }[];
    return { text, restarts: after.restarts, events };
  };

  it('orch restart counts one restart, a SIGKILL one crash; the sum is what orch status shows', { timeout: 60_000 }, async () => {
    sb = createSandbox();
    const { text, restarts, events } = await restartedThenKilled(sb);
    const counts = restartCounts(text, 'web');
    expect(counts).toEqual({ crash: 1, memory: 0, restart: 1 });
    expect(restarts).toBe(2);
    expect(sum(counts)).toBe(restarts);
    expect(events.filter((e) => e.type === 'exited').map((e) => e.cause)).toEqual(['restart', 'crash']);
    const human = await sb.orch(['events', 'web']);
    expect(human.stdout).toMatch(/exited by SIGTERM \(restart\)/);
  });

  it(`the restart counter lines pass promtool check metrics${why}`, { timeout: 60_000 }, async (ctx) => {
    if (promtool === '') ctx.skip();
    sb = createSandbox();
    const { text } = await restartedThenKilled(sb);
    const lines = text.split('\n').filter((l) => l.includes('orch_process_restarts_total'));
    expect(lines.filter((l) => !l.startsWith('#'))).toHaveLength(3);
    const lint = spawnSync(promtool, ['check', 'metrics'], { input: `${lines.join('\n')}\n`, encoding: 'utf8' });
    expect(lint.stdout + lint.stderr).toBe('');
    expect(lint.status).toBe(0);
  });
});
