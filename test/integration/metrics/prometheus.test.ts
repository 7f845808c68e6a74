// A real Prometheus server (Debian's /usr/bin/prometheus) scrapes a real orch daemon on loopback
// every second; a query for the restart counter of an app that crashed once returns 1.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../../helpers/ports.js';
import { createSandbox, repoRoot, type Sandbox } from '../../helpers/sandbox.js';
import { waitFor } from '../../helpers/wait-for.js';

const prometheusBin = spawnSync('sh', ['-c', 'command -v prometheus'], { encoding: 'utf8' }).stdout.trim();
const why = prometheusBin === '' ? ' (SKIPPED: prometheus not installed; apt-get install prometheus, as .ci/run does)' : '';
const crashOnce = join(repoRoot, 'test/fixtures/apps/crash-once.js');

interface QueryResult {
  status: string;
  data: { result: { metric: Record<string, string>; value: [number, string] }[] };
}

let sb: Sandbox;
let prometheus: ChildProcess | undefined;
beforeEach(() => {
  sb = createSandbox();
});
afterEach(async () => {
  if (prometheus !== undefined && prometheus.exitCode === null) {
    const exited = new Promise((r) => prometheus!.once('exit', r));
    prometheus.kill('SIGKILL');
    await exited;
  }
  prometheus = undefined;
  await sb.cleanup();
});

describe('Prometheus scrapes orch', () => {
  it(`counts one restart of an app that crashed once${why}`, { timeout: 90_000 }, async (ctx) => {
    if (prometheusBin === '') ctx.skip();
    const metricsPort = await freePort();
    const promPort = await freePort();
    const env = { ORCH_METRICS_ADDR: `127.0.0.1:${metricsPort}` };
    sb.write(
      'ecosystem.yaml',
      `version: 1\nname: seen\napps:\n  crashy:\n    run: [node, ${crashOnce}, ${join(sb.dir, 'crashed-once')}]\n    ready: { type: none, delay: 0ms }\n    restart: { backoff: { initial: 100ms } }\n`,
    );
    const applied = await sb.orch(['apply'], { env });
    expect(applied.code, applied.stderr + applied.stdout).toBe(0);
    // The crash, its restart, and the second process up.
    await waitFor(
      async () => {
        const r = await sb.orch(['events', 'crashy', '--output', 'json']);
        const events = JSON.parse(r.stdout) as { type: string }[];
        return events.some((e) => e.type === 'restarting') && events.filter((e) => e.type === 'ready').length >= 2;
      },
      { timeout: 20_000, interval: 200, what: 'crashy to crash once and come back' },
    );

    // WARNING: honor_labels, or Prometheus' own target label `instance` (host:port) pushes orch's
    // `instance` (the instance index) aside as `exported_instance` (seen: this test failed so).
    const config = sb.write(
      'prometheus.yml',
      `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: orch\n    honor_labels: true\n    static_configs:\n      - targets: ['127.0.0.1:${metricsPort}']\n`,
    );
    prometheus = spawn(
      prometheusBin,
      [`--config.file=${config}`, `--storage.tsdb.path=${join(sb.dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn'],
      { cwd: sb.dir, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let promErr = '';
    prometheus.stderr?.on('data', (d: Buffer) => (promErr += d.toString()));

    const query = encodeURIComponent('orch_process_restarts_total{app="crashy"}');
    const result = await waitFor(
      async () => {
        const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${query}`);
        const body = (await res.json()) as QueryResult;
        return body.status === 'success' && body.data.result.length > 0 ? body.data.result : undefined;
      },
      { timeout: 45_000, interval: 250, what: `Prometheus to have scraped orch (its stderr: ${promErr})` },
    );
    const crash = result.find((r) => r.metric.reason === 'crash');
    expect(crash?.metric).toMatchObject({ job: 'orch', project: 'seen', app: 'crashy', instance: '0', reason: 'crash' });
    expect(crash?.value[1]).toBe('1');
    expect(result.find((r) => r.metric.reason === 'memory')?.value[1]).toBe('0');
  });
});
