// Rolling reloads under keep-alive clients: an app that drains with orch/worker's drainHttp
// fails no request, in cluster mode and in socket mode. (Without it, Node's server.close() closes
// idle keep-alive connections at once and a client reusing one at that instant gets a reset.)
import { Agent, request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppSpec } from '../../../src/config/desired.js';
import { freePort } from '../../helpers/ports.js';
import { createHarness, type Harness, nodeApp } from './harness.js';

let h: Harness | undefined;
const harness = (): Harness => (h = createHarness());
afterEach(async () => {
  await h?.teardown();
  h = undefined;
});

const CLIENTS = 4;
const MAX_MS = 60_000;
const MAX_REQUESTS = 200_000;

const keepaliveApp = (mode: 'cluster' | 'socket', port: number): AppSpec =>
  nodeApp('ka', 'keepalive-http.js', [], { mode, port, instances: 2, ready: { type: 'message' }, shutdown: { timeoutMs: 5000 } });

interface KeepAliveLoad {
  stop(): Promise<{ ok: number; reused: number; failures: string[]; pids: Set<number> }>;
}

/** CLIENTS loops of sequential GETs through one keep-alive agent, until stopped (or bounded). */
const startKeepAliveLoad = (port: number): KeepAliveLoad => {
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  let running = true;
  let ok = 0;
  let reused = 0;
  const failures: string[] = [];
  const pids = new Set<number>();
  const deadline = Date.now() + MAX_MS;
  const get = (): Promise<{ status: number; body: string; reused: boolean }> =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/', agent, timeout: 5000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, reused: req.reusedSocket }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error('request timed out')));
      req.on('error', reject);
      req.end();
    });
  const loop = async (): Promise<void> => {
    while (running && Date.now() < deadline && ok + failures.length < MAX_REQUESTS) {
      try {
        const answer = await get();
        if (answer.status !== 200) failures.push(`status ${answer.status}`);
        else {
          ok++;
          if (answer.reused) reused++;
          pids.add(Number(answer.body.trim()));
        }
      } catch (e) {
        failures.push(e instanceof Error ? `${(e as NodeJS.ErrnoException).code ?? ''} ${e.message}` : String(e));
      }
    }
  };
  const loops = Array.from({ length: CLIENTS }, loop);
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      agent.destroy();
      return { ok, reused, failures, pids };
    },
  };
};

describe.each(['cluster', 'socket'] as const)('keep-alive clients, %s mode, app using drainHttp', (mode) => {
  it('see no failed request during 3 rolling reloads, and every instance is replaced', async () => {
    const { supervisor, pids } = harness();
    const port = await freePort();
    const spec = keepaliveApp(mode, port);
    expect(await supervisor.create(spec)).toEqual({ ok: true });
    const generations = [pids('ka')];
    const load = startKeepAliveLoad(port);
    await new Promise((r) => setTimeout(r, 300));
    for (let round = 1; round <= 3; round++) {
      expect(await supervisor.reload({ ...spec, env: { ROUND: String(round) } })).toEqual({ ok: true });
      generations.push(pids('ka'));
      await new Promise((r) => setTimeout(r, 300));
    }
    const result = await load.stop();
    expect(result.failures).toEqual([]);
    expect(result.ok).toBeGreaterThan(100);
    // Keep-alive really was in use: most requests went over a reused connection.
    expect(result.reused).toBeGreaterThan(result.ok / 2);
    for (let k = 1; k < generations.length; k++) {
      expect(generations[k]).toHaveLength(2);
      expect(generations[k]?.every((p) => p !== undefined && !generations[k - 1]?.includes(p))).toBe(true);
    }
    // Every generation served some of the load.
    for (const generation of generations) expect(generation.some((p) => p !== undefined && result.pids.has(p))).toBe(true);
    expect(supervisor.app('ka')?.instances.map((i) => i.state)).toEqual(['online', 'online']);
  }, 90_000);
});
