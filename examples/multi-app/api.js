// The public API: counts visits in the store. Started by orch only once the store is ready.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 7101);
const storeUrl = process.env.STORE_URL ?? 'http://127.0.0.1:7102';
const greeting = process.env.GREETING ?? 'hello';

const server = createServer(async (req, res) => {
  try {
    if (req.url === '/healthz') return send(res, 200, { ok: true });
    if (req.url === '/' && req.method === 'GET') {
      const visits = await storeCall('POST', '/kv/visits/incr');
      return send(res, 200, { greeting, visits: visits.value, pid: process.pid });
    }
    return send(res, 404, { error: 'not found' });
  } catch (error) {
    // The store being down is the caller's problem to retry, not a reason to crash.
    return send(res, 502, { error: `store unavailable: ${error.message}` });
  }
});

async function storeCall(method, path) {
  const response = await fetch(new URL(path, storeUrl), { method, signal: AbortSignal.timeout(2000) });
  if (!response.ok) throw new Error(`store answered ${response.status}`);
  return response.json();
}

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(body)}\n`);
}

server.listen(port, '127.0.0.1', () => console.log(`api pid ${process.pid} listening on 127.0.0.1:${port}, store at ${storeUrl}`));

process.once('SIGTERM', () => {
  console.log('api: SIGTERM, closing');
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
