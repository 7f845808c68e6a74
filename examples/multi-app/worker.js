// A background worker with no port: every INTERVAL_MS it GETs each of PING_URLS and logs the
// outcome. It never exits on a failed ping: the services it watches may be restarting.
const urls = (process.env.PING_URLS ?? 'http://127.0.0.1:7101/').split(',').map((u) => u.trim()).filter(Boolean);
const intervalMs = Number(process.env.INTERVAL_MS ?? 1000);
const name = `${process.env.ORCH_APP ?? 'worker'}[${process.env.ORCH_INSTANCE ?? '0'}]`;

let stopping = false;
let tick = 0;
let wakeUp = () => {};

async function ping(url) {
  const started = process.hrtime.bigint();
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    const body = (await response.text()).trim();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    return `${url} ${response.status} ${ms.toFixed(1)}ms ${body.slice(0, 120)}`;
  } catch (error) {
    return `${url} failed: ${error.cause?.code ?? error.message}`;
  }
}

async function loop() {
  console.log(`${name} pid ${process.pid} pinging ${urls.join(', ')} every ${intervalMs}ms`);
  while (!stopping) {
    tick += 1;
    const lines = await Promise.all(urls.map(ping));
    for (const line of lines) console.log(`${name} #${tick} ${line}`);
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, intervalMs);
      wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
  console.log(`${name} stopped after ${tick} rounds`);
}

// Finish the round in flight (pings time out after 2s), skip the wait, then exit.
process.once('SIGTERM', () => {
  stopping = true;
  wakeUp();
});

await loop();
