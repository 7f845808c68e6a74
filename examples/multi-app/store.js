// A tiny in-memory key-value service over HTTP: GET/PUT /kv/<key>, POST /kv/<key>/incr.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 7102);
const values = new Map();

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://store');
  if (url.pathname === '/healthz') return send(res, 200, { ok: true, keys: values.size });
  const match = /^\/kv\/([\w.-]+)(\/incr)?$/.exec(url.pathname);
  if (!match) return send(res, 404, { error: 'not found' });
  const [, key, incr] = match;
  if (req.method === 'GET' && !incr) {
    return values.has(key) ? send(res, 200, { key, value: values.get(key) }) : send(res, 404, { error: 'no such key' });
  }
  if (req.method === 'POST' && incr) {
    const value = Number(values.get(key) ?? 0) + 1;
    values.set(key, value);
    return send(res, 200, { key, value });
  }
  if (req.method === 'PUT' && !incr) {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      values.set(key, body);
      send(res, 200, { key, value: body });
    });
    return undefined;
  }
  return send(res, 405, { error: 'method not allowed' });
});

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(body)}\n`);
}

server.listen(port, '127.0.0.1', () => console.log(`store pid ${process.pid} listening on 127.0.0.1:${port}`));

process.once('SIGTERM', () => {
  console.log('store: SIGTERM, closing');
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
