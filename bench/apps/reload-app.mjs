// The reload bench's app, the same code under orch (cluster and socket mode), PM2 (cluster mode)
// and the plain node:cluster baseline. GET / answers a short body, after SLOW_MS ms if set.
// Drains with orch/worker's drainHttp, loaded from RELOAD_BENCH_WORKER (the bench's private copy
// of dist/worker.js) or else from this repository's build.
// Listens on the inherited socket (fd 3) in orch's socket mode, else on PORT.
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';

const workerModule = process.env.RELOAD_BENCH_WORKER ? pathToFileURL(process.env.RELOAD_BENCH_WORKER).href : new URL('../../dist/worker.js', import.meta.url).href;
const { drainHttp, ready } = await import(workerModule);

const slowMs = Number(process.env.SLOW_MS ?? 0);
const body = `ok ${process.pid}\n`;
const server = createServer((req, res) => {
  if (slowMs > 0) setTimeout(() => res.end(body), slowMs);
  else res.end(body);
});
const target = process.env.LISTEN_FDS === '1' && process.env.LISTEN_PID === String(process.pid) ? { fd: 3 } : { port: Number(process.env.PORT) };
server.listen(target, () => ready());
drainHttp(server);
