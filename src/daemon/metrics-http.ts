// `GET /metrics` over HTTP, when ORCH_METRICS_ADDR (or `orch daemon start --metrics ADDR`) asks
// for it. Loopback only, unless ORCH_METRICS_PUBLIC=1 (`--metrics-public`) says otherwise: the
// metrics name every app, its pids and its exit codes. Its own server, apart from the dashboard's.
import { createServer, type Server } from 'node:http';
import { checkMetricsAddr, type MetricsAddr, metricsUrl } from './metrics-addr.js';

export interface MetricsServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `render()` at GET /metrics; rejects when the address cannot be bound (in use, not ours). */
export const serveMetrics = (addr: MetricsAddr, render: () => Promise<{ text: string; contentType: string }>, onError: (err: unknown) => void): Promise<MetricsServer> => {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: the metrics are at /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    render().then(
      ({ text, contentType }) => {
        res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (err: unknown) => {
        onError(err);
        res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics could not be collected (see daemon.log)\n');
      },
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(addr.port, addr.host, () => {
      server.off('error', reject);
      server.on('error', onError);
      server.unref();
      resolve({
        url: metricsUrl(addr),
        close: () =>
          new Promise((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
};

/**
 * The HTTP endpoint the daemon's environment asks for (ORCH_METRICS_ADDR, ORCH_METRICS_PUBLIC=1):
 * undefined when none is asked; a problem (refused address, port in use) is a warning the daemon
 * shows on `hello`/`status`, never a reason not to start.
 */
export const metricsFromEnv = async (
  env: NodeJS.ProcessEnv,
  render: () => Promise<{ text: string; contentType: string }>,
  onError: (err: unknown) => void,
): Promise<{ server?: MetricsServer; warning?: string }> => {
  const value = env.ORCH_METRICS_ADDR;
  if (value === undefined || value === '') return {};
  const checked = checkMetricsAddr(value, env.ORCH_METRICS_PUBLIC === '1');
  if (!checked.ok) return { warning: `metrics not served: ${checked.problem}` };
  try {
    return { server: await serveMetrics(checked.addr, render, onError) };
  } catch (err) {
    return { warning: `metrics not served on ${value}: ${(err as Error).message}` };
  }
};
