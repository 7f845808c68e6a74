import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Ports for tests: random blocks below the kernel's ephemeral range, never port 0. A port the
 * kernel hands out for `listen(0)` or an outgoing connection lies in the ephemeral range, so one
 * picked there and released can be taken again before the app binds it (seen: EADDRINUSE on a
 * loaded CI run). Each vitest worker draws from its own slice, so files that run side by side
 * never pick the same port.
 */
const LOW = 20_000;
const SLICES = 8;
const ephemeralLow = (): number => {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32_768;
  } catch {
    return 32_768;
  }
};
const sliceSize = Math.floor((Math.min(32_000, ephemeralLow()) - LOW) / SLICES);
const slice = (Number(process.env.VITEST_POOL_ID ?? '1') - 1) % SLICES;
const sliceLow = LOW + Math.max(0, slice) * sliceSize;

/** `count` consecutive ports free right now, starting at the returned one (fork-mode port ranges). */
export const freePortRange = async (count: number): Promise<number> => {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = sliceLow + Math.floor(Math.random() * (sliceSize - count));
    const ok = await Promise.all(Array.from({ length: count }, (_, i) => isFree(base + i)));
    if (ok.every(Boolean)) return base;
  }
  throw new Error(`no ${count} free ports in ${sliceLow}-${sliceLow + sliceSize}`);
};

/** A port free right now. */
export const freePort = (): Promise<number> => freePortRange(1);

// No host: the check binds every interface, as the apps under test do.
const isFree = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, () => srv.close(() => resolve(true)));
  });

export const httpGet = async (port: number, path = '/'): Promise<{ status: number; body: string }> => {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.text() };
};
