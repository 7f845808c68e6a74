// SPEC §9: zero failed requests for apps that were not written for orch. Each fixture is the
// framework's own documented usage (`app.listen(PORT)`, nothing of orch in it), run in cluster
// mode under keep-alive clients across 3 rolling reloads: orch drains every retiring worker's
// HTTP servers itself, so not one request fails.
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../helpers/ports.js';
import { waitFor } from '../../helpers/wait-for.js';
import { createHarness, type Harness, nodeApp } from './harness.js';
import { startKeepAliveLoad } from './keepalive-load.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.teardown();
  h = undefined;
});

const APPS = [
  ['Express', 'express-app.js', {}],
  ['Koa', 'koa-app.js', {}],
  ['Fastify', 'fastify-app.js', {}],
  ['plain node:http', 'plain-http.js', {}],
  // Its SIGTERM handler closes the server at once and exits in the close callback.
  ['node:http closing on SIGTERM', 'drain-on-sigterm.js', { DRAIN_MS: '0' }],
  // Its SIGTERM listener re-raises the signal when it thinks it is alone, as signal-exit does.
  ['node:http with a signal-exit-like listener', 'reraise-when-alone.js', {}],
] as const;

describe.each(APPS)('%s, unmodified, in cluster mode', (_name, fixture, env) => {
  it('fails no keep-alive request across 3 rolling reloads', async () => {
    h = createHarness();
    const port = await freePort();
    const spec = nodeApp('app', fixture, [], {
      mode: 'cluster',
      port,
      instances: 2,
      ready: { type: 'listening' },
      env: { ...env, MARK_DIR: h.home },
      shutdown: { timeoutMs: 5000 },
    });
    expect(await h.supervisor.create(spec)).toEqual({ ok: true });
    const generations = [h.pids('app')];
    const load = startKeepAliveLoad(port, { loops: 6, maxSockets: 8, maxMs: 30_000 });
    // Every generation serves some of the load before it is replaced.
    const served = (pids: readonly (number | undefined)[]): Promise<boolean> =>
      waitFor(() => pids.every((p) => p !== undefined && load.answered.has(p)), { what: `requests answered by ${pids.join(', ')}` });
    for (let round = 1; round <= 3; round++) {
      await served(generations[round - 1]!);
      expect(await h.supervisor.reload({ ...spec, env: { ...spec.env, ROUND: String(round) } })).toEqual({ ok: true });
      generations.push(h.pids('app'));
    }
    await served(generations[3]!);
    const result = await load.stop();
    expect(result.failures).toEqual([]);
    expect(result.ok).toBeGreaterThan(200);
    // Keep-alive really was in use: most requests went over a reused connection.
    expect(result.reused).toBeGreaterThan(result.ok / 2);
    for (let k = 1; k < generations.length; k++) {
      expect(generations[k]).toHaveLength(2);
      expect(generations[k]?.some((p) => p === undefined || generations[k - 1]?.includes(p))).toBe(false);
    }
    expect(h.supervisor.app('app')?.instances.map((i) => i.state)).toEqual(['online', 'online']);
  }, 60_000);
});
