// A plain node:http service. orch runs it as a cluster worker (every instance listens on the
// same PORT; the cluster primary balances connections), but `node server.js` works on its own.
import { createServer } from 'node:http';

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

// Graceful stop: refuse new connections, let in-flight requests finish, then exit. orch sends
// SIGKILL after `shutdown.timeout`; the timer below only bounds a stuck keep-alive client.
process.once('SIGTERM', () => {
  console.log(`${app}[${instance}] SIGTERM: draining`);
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 3000).unref();
});
