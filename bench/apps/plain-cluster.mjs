// The throughput baseline: plain node:cluster (round-robin, like orch's cluster primary) running
// reload-app.mjs in WORKERS workers on PORT. No orch in the way.
import cluster from 'node:cluster';
import { fileURLToPath } from 'node:url';

cluster.schedulingPolicy = cluster.SCHED_RR;
cluster.setupPrimary({ exec: fileURLToPath(new URL('./reload-app.mjs', import.meta.url)) });
const workers = Number(process.env.WORKERS ?? 2);
let listening = 0;
for (let i = 0; i < workers; i++) cluster.fork();
cluster.on('listening', () => {
  if (++listening === workers) console.log('listening');
});
const leave = () => {
  for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGKILL');
  process.exit(0);
};
process.on('SIGTERM', leave);
process.on('SIGINT', leave);
