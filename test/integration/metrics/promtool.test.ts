// The metrics text passes `promtool check metrics` (Prometheus' own linter: names, units, _total
// counters, HELP/TYPE) with every metric of SPEC §12 present, and GET /metrics serves it.
import { execFileSync, spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { OrchMetrics } from '../../../src/daemon/metrics.js';
import { serveMetrics, type MetricsServer } from '../../../src/daemon/metrics-http.js';
import type { AppView } from '../../../src/supervisor/view.js';
import { freePort } from '../../helpers/ports.js';
import { defaultApp } from '../../helpers/spec.js';

const promtool = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' }).stdout.trim();
const why = promtool === '' ? ' (SKIPPED: promtool not installed; apt-get install prometheus, as .ci/run does)' : '';

const views = (): AppView[] => [
  {
    spec: { ...defaultApp({ name: 'web', project: 'shop', run: ['node', 'web.js'], fileDir: '/tmp' }), instances: 2 },
    stopped: false,
    droppedLines: 3,
    instances: [
      { index: 0, state: 'online', pid: 4242, startedAt: 1_700_000_000_000, restarts: 1, port: 3000, lastExit: { code: 1, signal: null, at: 1 }, reason: undefined },
      { index: 1, state: 'backoff', pid: undefined, startedAt: undefined, restarts: 2, port: 3001, lastExit: { code: null, signal: 'SIGKILL', at: 2 }, reason: 'exited' },
    ],
  },
];

const populated = (): OrchMetrics => {
  const m = new OrchMetrics({ apps: views, projectOf: () => 'shop', sample: async () => ({ cpuSeconds: 0.5, rssBytes: 1024 }) });
  m.observe({ time: 1, app: 'web', instance: 1, type: 'restarting', restarts: 1 });
  m.observe({ time: 1, app: 'web', instance: 0, type: 'memory-restart' });
  m.observe({ time: 1000, app: 'web', instance: null, type: 'reload-started' });
  m.observe({ time: 2500, app: 'web', instance: null, type: 'reload-done' });
  m.applied('shop', 'converged');
  return m;
};

let server: MetricsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('the metrics text', () => {
  it(`passes promtool check metrics, every metric of SPEC §12 in it${why}`, async (ctx) => {
    if (promtool === '') ctx.skip();
    const text = await populated().text();
    for (const name of [
      'orch_app_desired_instances',
      'orch_app_ready_instances',
      'orch_process_up',
      'orch_process_state',
      'orch_process_restarts_total',
      'orch_process_start_time_seconds',
      'orch_process_cpu_seconds_total',
      'orch_process_resident_memory_bytes',
      'orch_process_last_exit_code',
      'orch_reloads_total',
      'orch_reload_duration_seconds_bucket',
      'orch_applies_total',
      'orch_log_lines_dropped_total',
    ]) {
      expect(text).toMatch(new RegExp(`^${name}\\{`, 'm'));
    }
    const lint = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(lint.stdout + lint.stderr).toBe('');
    expect(lint.status).toBe(0);
  });

  it('promtool itself finds fault with a bad text (the check is not a no-op)' + why, (ctx) => {
    if (promtool === '') ctx.skip();
    const lint = spawnSync(promtool, ['check', 'metrics'], { input: '# HELP orch_restarts Restarts.\n# TYPE orch_restarts counter\norch_restarts 1\n', encoding: 'utf8' });
    expect(lint.status).not.toBe(0);
    expect(lint.stdout + lint.stderr).toMatch(/_total/);
  });

  it('is served at GET /metrics with the exposition content type; other paths 404, other methods 405', async () => {
    const m = populated();
    const port = await freePort();
    server = await serveMetrics({ host: '127.0.0.1', port }, async () => ({ text: await m.text(), contentType: m.contentType }), () => undefined);
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await res.text()).toContain('orch_process_restarts_total{project="shop",app="web",instance="1",reason="crash"} 1');
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST' })).status).toBe(405);
    // Bound to loopback only: the address it listens on.
    const ss = execFileSync('sh', ['-c', `cat /proc/net/tcp | awk '{print $2}'`], { encoding: 'utf8' });
    expect(ss).toContain(`0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`);
  });
});
