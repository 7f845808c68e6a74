// A plain node:http service. orch runs it as a cluster worker (every instance listens on the
// same PORT; the cluster primary balances connections), but `node server.js` works on its own.
import { createServer } from 'node:http';

// orch's worker helper: `orch/worker` where orch is installed, else (in this repository) its build.
const { drainHttp } = await import('orch/worker').catch(() => import('../../dist/worker.js'));

const port = Number(process.env.PORT ?? 3000);
const instance = process.env.ORCH_INSTANCE ?? '0';
const app = process.env.ORCH_APP ?? 'cluster-http';
const startedAt = Date.now();

const server = createServer((req, res) => {
  if (req.method !== 'GET') return send(res, 405, { error: 'method not allowed' });
  if (req.url === '/healthz') return send(res, 200, { ok: true });
  if (req.url === '/') {
    return send(res, 200, { app, instance: Number(instance), pid: process.pid, uptimeMs: Date.now() - startedAt });
  }
  return send(res, 404, { error: 'not found' });
});

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(body)}\n`);
}

server.listen(port, () => {
  console.log(`${app}[${instance}] pid ${process.pid} listening on :${port}`);
});

// Graceful stop, keep-alive clients included: when orch retires this worker (reload, stop),
// every later response says `Connection: close`, idle connections get a short grace, and the
// process exits once the server has drained (bounded by `shutdown.timeout`). Zero failed requests.
drainHttp(server);
