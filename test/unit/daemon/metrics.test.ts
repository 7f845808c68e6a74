// Each metric of SPEC §12 from a fake view of the supervisor: the text a scrape gets.
import { describe, expect, it } from 'vitest';
import type { AppView, InstanceView } from '../../../src/supervisor/view.js';
import { exitCodeValue, OrchMetrics, type MetricsSource } from '../../../src/daemon/metrics.js';
import { defaultApp } from '../../helpers/spec.js';

const instance = (over: Partial<InstanceView> & { index: number }): InstanceView => ({
  state: 'online',
  pid: undefined,
  startedAt: undefined,
  restarts: 0,
  port: undefined,
  lastExit: undefined,
  reason: undefined,
  ...over,
});

const app = (name: string, instances: InstanceView[], over: Partial<AppView> = {}): AppView => ({
  spec: { ...defaultApp({ name, project: 'shop', run: ['node', 'x.js'], fileDir: '/tmp' }), instances: instances.length },
  stopped: false,
  instances,
  ...over,
});

const fakeSource = (apps: AppView[], samples: Record<number, { cpuSeconds?: number; rssBytes?: number }> = {}): MetricsSource & { apps: () => AppView[]; set(a: AppView[]): void } => {
  let current = apps;
  return {
    apps: () => current,
    projectOf: (name) => current.find((a) => a.spec.name === name)?.spec.project,
    sample: async (pid) => samples[pid] ?? {},
    set(a) {
      current = a;
    },
  };
};

/** The sample lines of the text (no HELP/TYPE), for one metric name. */
const series = (text: string, name: string): string[] => text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));

const web = () =>
  app('web', [
    instance({ index: 0, state: 'online', pid: 101, startedAt: 1_700_000_000_500 }),
    instance({ index: 1, state: 'backoff', lastExit: { code: 3, signal: null, at: 1 } }),
  ]);

describe('OrchMetrics', () => {
  it('orch_app_desired_instances and orch_app_ready_instances, per project and app; a stopped app desires 0', async () => {
    const m = new OrchMetrics(fakeSource([web(), app('db', [instance({ index: 0, state: 'stopped' })], { stopped: true })]));
    const text = await m.text();
    expect(series(text, 'orch_app_desired_instances')).toEqual([
      'orch_app_desired_instances{project="shop",app="web"} 2',
      'orch_app_desired_instances{project="shop",app="db"} 0',
    ]);
    expect(series(text, 'orch_app_ready_instances')).toEqual([
      'orch_app_ready_instances{project="shop",app="web"} 1',
      'orch_app_ready_instances{project="shop",app="db"} 0',
    ]);
    expect(text).toContain('# TYPE orch_app_desired_instances gauge');
  });

  it('orch_process_up and orch_process_state: one series per state, 1 for the current one', async () => {
    const text = await new OrchMetrics(fakeSource([web()])).text();
    expect(series(text, 'orch_process_up')).toEqual([
      'orch_process_up{project="shop",app="web",instance="0"} 1',
      'orch_process_up{project="shop",app="web",instance="1"} 0',
    ]);
    const states = series(text, 'orch_process_state').filter((l) => l.includes('instance="1"'));
    expect(states).toHaveLength(7);
    expect(states.filter((l) => l.endsWith(' 1'))).toEqual(['orch_process_state{project="shop",app="web",instance="1",state="backoff"} 1']);
  });

  it('orch_process_restarts_total by reason: crash and memory from the events, the rest of the RESTARTS asked for; 0 for every reason known', async () => {
    const source = fakeSource([app('web', [instance({ index: 0, pid: 101, restarts: 0 }), instance({ index: 1, state: 'backoff', restarts: 3 })])]);
    const m = new OrchMetrics(source);
    m.observe({ time: 1, app: 'web', instance: 1, type: 'restarting', restarts: 1 });
    m.observe({ time: 2, app: 'web', instance: 1, type: 'restarting', restarts: 2 });
    m.observe({ time: 3, app: 'web', instance: 0, type: 'memory-restart', reason: 'memory 600 MB > max_memory 512 MB' });
    m.observe({ time: 4, app: 'web', instance: 0, type: 'exited', code: 1, signal: null, cause: 'crash' });
    // Instance 0's memory restart has not started its new process yet: counted once it has.
    expect(series(await m.text(), 'orch_process_restarts_total').filter((l) => l.includes('instance="0"'))).toEqual([
      'orch_process_restarts_total{project="shop",app="web",instance="0",reason="crash"} 0',
      'orch_process_restarts_total{project="shop",app="web",instance="0",reason="memory"} 0',
      'orch_process_restarts_total{project="shop",app="web",instance="0",reason="restart"} 0',
    ]);
    source.set([app('web', [instance({ index: 0, pid: 102, restarts: 1 }), instance({ index: 1, state: 'backoff', restarts: 3 })])]);
    const text = await m.text();
    expect(series(text, 'orch_process_restarts_total')).toEqual([
      'orch_process_restarts_total{project="shop",app="web",instance="0",reason="crash"} 0',
      'orch_process_restarts_total{project="shop",app="web",instance="0",reason="memory"} 1',
      'orch_process_restarts_total{project="shop",app="web",instance="0",reason="restart"} 0',
      'orch_process_restarts_total{project="shop",app="web",instance="1",reason="crash"} 2',
      'orch_process_restarts_total{project="shop",app="web",instance="1",reason="memory"} 0',
      'orch_process_restarts_total{project="shop",app="web",instance="1",reason="restart"} 1',
    ]);
    expect(text).toContain('# TYPE orch_process_restarts_total counter');
  });

  it('start time in seconds, CPU seconds and resident bytes read at scrape time, for live processes only', async () => {
    const text = await new OrchMetrics(fakeSource([web()], { 101: { cpuSeconds: 1.25, rssBytes: 42_000_000 } })).text();
    expect(series(text, 'orch_process_start_time_seconds')).toEqual(['orch_process_start_time_seconds{project="shop",app="web",instance="0"} 1700000000.5']);
    expect(series(text, 'orch_process_cpu_seconds_total')).toEqual(['orch_process_cpu_seconds_total{project="shop",app="web",instance="0"} 1.25']);
    expect(series(text, 'orch_process_resident_memory_bytes')).toEqual(['orch_process_resident_memory_bytes{project="shop",app="web",instance="0"} 42000000']);
  });

  it('a process gone between the view and the sample has no CPU or memory series', async () => {
    const text = await new OrchMetrics(fakeSource([web()], {})).text();
    expect(series(text, 'orch_process_cpu_seconds_total')).toEqual([]);
    expect(series(text, 'orch_process_resident_memory_bytes')).toEqual([]);
  });

  it('orch_process_last_exit_code: the code, or 128 + the signal number', async () => {
    const text = await new OrchMetrics(
      fakeSource([app('w', [instance({ index: 0, lastExit: { code: 3, signal: null, at: 1 } }), instance({ index: 1, lastExit: { code: null, signal: 'SIGKILL', at: 1 } }), instance({ index: 2 })])]),
    ).text();
    expect(series(text, 'orch_process_last_exit_code')).toEqual([
      'orch_process_last_exit_code{project="shop",app="w",instance="0"} 3',
      'orch_process_last_exit_code{project="shop",app="w",instance="1"} 137',
    ]);
    expect(exitCodeValue(null, 'SIGTERM')).toBe(143);
    expect(exitCodeValue(null, null)).toBeUndefined();
  });

  it('orch_reloads_total by result and orch_reload_duration_seconds from reload-started to its end', async () => {
    const m = new OrchMetrics(fakeSource([web()]));
    m.observe({ time: 1000, app: 'web', instance: null, type: 'reload-started' });
    m.observe({ time: 1400, app: 'web', instance: null, type: 'reload-done' });
    m.observe({ time: 2000, app: 'web', instance: null, type: 'reload-started' });
    m.observe({ time: 5000, app: 'web', instance: null, type: 'rolled-back', reason: 'instance 0: not ready' });
    m.observe({ time: 6000, app: 'web', instance: null, type: 'reload-started' });
    m.observe({ time: 6100, app: 'web', instance: null, type: 'reload-done', reason: 'instance 2: exited' });
    const text = await m.text();
    expect(series(text, 'orch_reloads_total')).toEqual([
      'orch_reloads_total{project="shop",app="web",result="success"} 1',
      'orch_reloads_total{project="shop",app="web",result="rolled_back"} 1',
      'orch_reloads_total{project="shop",app="web",result="failed"} 1',
    ]);
    expect(series(text, 'orch_reload_duration_seconds_count')).toEqual(['orch_reload_duration_seconds_count{project="shop",app="web"} 3']);
    expect(series(text, 'orch_reload_duration_seconds_sum')).toEqual(['orch_reload_duration_seconds_sum{project="shop",app="web"} 3.5']);
    expect(series(text, 'orch_reload_duration_seconds_bucket')).toContain('orch_reload_duration_seconds_bucket{le="0.5",project="shop",app="web"} 2');
    expect(text).toContain('# TYPE orch_reload_duration_seconds histogram');
  });

  it('orch_applies_total by project and result', async () => {
    const m = new OrchMetrics(fakeSource([]));
    m.applied('shop', 'converged');
    m.applied('shop', 'converged');
    m.applied('shop', 'failed');
    m.applied('blog', 'failed');
    expect(series(await m.text(), 'orch_applies_total')).toEqual([
      'orch_applies_total{project="blog",result="converged"} 0',
      'orch_applies_total{project="blog",result="failed"} 1',
      'orch_applies_total{project="shop",result="converged"} 2',
      'orch_applies_total{project="shop",result="failed"} 1',
    ]);
    m.forgetProject('blog');
    expect(series(await m.text(), 'orch_applies_total').filter((l) => l.includes('blog'))).toEqual([]);
  });

  it('orch_log_lines_dropped_total from the capture counters (the view), 0 when none', async () => {
    const text = await new OrchMetrics(fakeSource([web(), app('api', [instance({ index: 0 })], { droppedLines: 17 })])).text();
    expect(series(text, 'orch_log_lines_dropped_total')).toEqual([
      'orch_log_lines_dropped_total{project="shop",app="web"} 0',
      'orch_log_lines_dropped_total{project="shop",app="api"} 17',
    ]);
  });

  it('a deleted app takes its series with it, counters included', async () => {
    const source = fakeSource([web()]);
    const m = new OrchMetrics(source);
    m.observe({ time: 1, app: 'web', instance: 1, type: 'restarting', restarts: 1 });
    m.observe({ time: 1, app: 'web', instance: null, type: 'reload-started' });
    m.observe({ time: 2, app: 'web', instance: null, type: 'reload-done' });
    source.set([]);
    m.forget('web');
    const text = await m.text();
    expect(text).not.toContain('app="web"');
    // Created again: its counters start from 0.
    source.set([web()]);
    expect(series(await m.text(), 'orch_process_restarts_total').filter((l) => l.endsWith(' 0'))).toHaveLength(6);
  });

  it('reads the view and /proc once per scrape, and only when scraped', async () => {
    let views = 0;
    const sampled: number[] = [];
    const source = fakeSource([web()]);
    const m = new OrchMetrics({
      apps: () => {
        views++;
        return source.apps();
      },
      projectOf: source.projectOf,
      sample: async (pid) => {
        sampled.push(pid);
        return {};
      },
    });
    m.observe({ time: 1, app: 'web', instance: 1, type: 'restarting', restarts: 1 });
    expect(views).toBe(0);
    await Promise.all([m.text(), m.text()]);
    expect(views).toBe(2);
    expect(sampled).toEqual([101, 101]);
  });
});
