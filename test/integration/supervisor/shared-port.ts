// Helpers for the port-sharing modes: spec builders for cluster and socket apps, and a client
// load that counts every failed request (no keep-alive: every request is a new connection).
import { request } from 'node:http';
import type { AppSpec } from '../../../src/config/desired.js';
import { nodeApp } from './harness.js';

type Overrides = Parameters<typeof nodeApp>[3];

export const clusterApp = (name: string, port: number, args: readonly string[] = [], o: Overrides = {}): AppSpec =>
  nodeApp(name, 'shared-http.js', args, { mode: 'cluster', port, instances: 2, ready: { type: 'listening' }, ...o });

export const socketApp = (name: string, port: number, args: readonly string[] = [], o: Overrides = {}): AppSpec =>
  nodeApp(name, 'shared-http.js', [...args, 'message'], { mode: 'socket', port, instances: 2, ready: { type: 'message' }, ...o });

export interface Answer {
  readonly status: number;
  readonly body: string;
}

/** One GET on a fresh connection (`agent: false`, `connection: close`). */
export const getOnce = (port: number, path = '/', timeoutMs = 5000): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, headers: { connection: 'close' }, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });

export const pidOf = async (port: number, path = '/'): Promise<number> => Number((await getOnce(port, path)).body.trim());

export interface LoadResult {
  readonly ok: number;
  readonly failures: readonly string[];
  readonly pids: ReadonlySet<number>;
}

/** `clients` loops of sequential requests until stopped (or `maxMs`, a safety bound). */
export const startLoad = (port: number, clients = 2, maxMs = 60_000): { stop(): Promise<LoadResult> } => {
  let running = true;
  let ok = 0;
  const failures: string[] = [];
  const pids = new Set<number>();
  const deadline = Date.now() + maxMs;
  const loop = async (): Promise<void> => {
    while (running && Date.now() < deadline) {
      try {
        const answer = await getOnce(port);
        if (answer.status === 200) {
          ok++;
          pids.add(Number(answer.body.trim()));
        } else failures.push(`status ${answer.status}`);
      } catch (e) {
        failures.push(e instanceof Error ? e.message : String(e));
      }
    }
  };
  const loops = Array.from({ length: clients }, loop);
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return { ok, failures, pids };
    },
  };
};
