// UDP port sharing through rolling reloads (issue 17, SPEC §14): a client sends numbered
// datagrams every 5 ms to an app of two instances while `orch reload` runs three times, and
// counts the replies. Socket mode: examples/udp-python/echo.py on the datagram socket orch
// holds (fd 3). Cluster mode: test/fixtures/apps/udp-echo.js, node:dgram workers sharing the
// primary's socket. The share answered is the figure (target >= 99 %); a run of the same length
// without reloads is the floor (what the client and the host lose on their own).
// orch through its CLI (`orch apply`, `orch reload <app>`), isolated ORCH_HOME, a private copy of dist/.
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findFreePorts, formatMs, markdownTable, passFail, repoRoot, withOrchHome, withOrchSnapshot, withTempDir } from './lib.mjs';

const INTERVAL_MS = 5;
const RELOADS = 3;
/** Between reloads, and before the first: datagrams keep flowing while nothing changes too. */
const SETTLE_MS = 1000;
const FLOOR_MS = 6000;
const TARGET = 0.99;
const fixtures = join(repoRoot, 'test/fixtures/apps');

const ecosystem = (ports) => `version: 1
name: udp-bench
apps:
  py:
    run: python3 -u ${join(repoRoot, 'examples/udp-python/echo.py')}
    mode: socket
    protocol: udp
    port: ${ports.py}
    instances: 2
    ready: { type: notify, timeout: 10s }
    shutdown: { timeout: 5s }
    reload: { max_surge: 1, max_unavailable: 0 }
  js:
    run: node ${join(fixtures, 'udp-echo.js')}
    mode: cluster
    protocol: udp
    port: ${ports.js}
    instances: 2
    ready: { type: listening, timeout: 10s }
    shutdown: { timeout: 5s }
    reload: { max_surge: 1, max_unavailable: 0 }
`;

/** Numbered datagrams every INTERVAL_MS to 127.0.0.1:port until stopped; replies counted by seq and instance. */
async function datagramLoad(port) {
  const socket = createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  let sent = 0;
  const replied = new Set();
  const byInstance = new Map();
  socket.on('message', (msg) => {
    const [instance, , seq] = msg.toString().split(' ');
    if (seq === undefined || replied.has(seq)) return;
    replied.add(seq);
    byInstance.set(instance, (byInstance.get(instance) ?? 0) + 1);
  });
  const timer = setInterval(() => socket.send(String(sent++), port, '127.0.0.1'), INTERVAL_MS);
  return {
    stop: async () => {
      clearInterval(timer);
      // The last datagrams' replies: a deadline, not a fixed wait.
      for (const deadline = Date.now() + 1000; replied.size < sent && Date.now() < deadline; ) await sleep(10);
      socket.close();
      return { sent, answered: replied.size, share: sent === 0 ? 0 : replied.size / sent, byInstance: Object.fromEntries([...byInstance].sort()) };
    },
  };
}

export async function run() {
  const [py, js] = await findFreePorts(2);
  const ports = { py, js };
  return withOrchSnapshot((bin) =>
    withOrchHome(
      ({ orch }) =>
        withTempDir('udp-bench', async (dir) => {
          await writeFile(join(dir, 'ecosystem.yaml'), ecosystem(ports));
          await orch(['apply', join(dir, 'ecosystem.yaml')], { cwd: dir, timeout: 120_000 });
          const scenarios = [];
          for (const [app, label] of [
            ['py', 'socket mode, Python on fd 3'],
            ['js', 'cluster mode, node:dgram workers'],
          ]) {
            const floorLoad = await datagramLoad(ports[app]);
            await sleep(FLOOR_MS);
            const floor = await floorLoad.stop();
            const load = await datagramLoad(ports[app]);
            const reloads = [];
            const started = performance.now();
            for (let k = 0; k < RELOADS; k++) {
              await sleep(SETTLE_MS);
              const t = performance.now();
              await orch(['reload', app], { timeout: 60_000 });
              reloads.push(performance.now() - t);
            }
            await sleep(SETTLE_MS);
            const during = await load.stop();
            scenarios.push({ app, label, floor, during, reloadsMs: reloads, windowMs: performance.now() - started });
          }
          return report(scenarios);
        }),
      { bin },
    ),
  );
}

const pct = (x) => `${(x * 100).toFixed(2)} %`;

function report(scenarios) {
  const rows = scenarios.map((s) => [
    s.label,
    `${s.during.answered} / ${s.during.sent}`,
    pct(s.during.share),
    Object.entries(s.during.byInstance).map(([i, n]) => `#${i}: ${n}`).join(', '),
    s.reloadsMs.map(formatMs).join(', '),
    pct(s.floor.share),
    passFail(s.during.share >= TARGET && Object.keys(s.during.byInstance).length === 2),
  ]);
  const table = markdownTable(['app (2 instances)', 'answered / sent during 3 reloads', 'share', 'replies by instance', '`orch reload` took', 'floor (no reload)', `≥ ${pct(TARGET)}, both answer`], rows);
  const note = `\nOne datagram every ${INTERVAL_MS} ms to 127.0.0.1 from one client socket; ${RELOADS} \`orch reload\` ${SETTLE_MS} ms apart, load running from ${SETTLE_MS} ms before the first to ${SETTLE_MS} ms after the last. A reply names the instance that read the datagram. The floor is a ${FLOOR_MS / 1000} s run of the same load with no reload.`;
  return {
    name: 'UDP through rolling reloads',
    results: { intervalMs: INTERVAL_MS, target: TARGET, scenarios },
    table: table + note,
  };
}
