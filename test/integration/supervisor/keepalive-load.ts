// A keep-alive client load as browsers and proxies make it: several loops of sequential GETs
// sharing one keep-alive agent, each failure recorded with its code, bounded in time and count.
import { Agent, request } from 'node:http';

export interface KeepAliveResult {
  readonly ok: number;
  /** Requests sent on a connection an earlier request had used. */
  readonly reused: number;
  readonly failures: readonly string[];
  /** The pids that answered (the fixture apps answer their pid). */
  readonly pids: ReadonlySet<number>;
}

export interface KeepAliveLoadOptions {
  readonly loops?: number;
  readonly maxSockets?: number;
  readonly maxMs?: number;
  readonly maxRequests?: number;
}

export interface KeepAliveLoad {
  /** Pids that have answered so far. */
  readonly answered: ReadonlySet<number>;
  stop(): Promise<KeepAliveResult>;
}

export const startKeepAliveLoad = (port: number, options: KeepAliveLoadOptions = {}): KeepAliveLoad => {
  const { loops = 6, maxSockets = 8, maxMs = 60_000, maxRequests = 200_000 } = options;
  const agent = new Agent({ keepAlive: true, maxSockets });
  let running = true;
  let ok = 0;
  let reused = 0;
  const failures: string[] = [];
  const pids = new Set<number>();
  const deadline = Date.now() + maxMs;
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
    while (running && Date.now() < deadline && ok + failures.length < maxRequests) {
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
  const clients = Array.from({ length: loops }, loop);
  return {
    answered: pids,
    stop: async () => {
      running = false;
      await Promise.all(clients);
      agent.destroy();
      return { ok, reused, failures, pids };
    },
  };
};
