// A client that sends numbered datagrams at a steady rate and counts the replies, by sequence
// number and by who answered ("<ORCH_INSTANCE> <pid> <seq>", as the udp echo fixtures reply).
import { createSocket } from 'node:dgram';
import { once } from 'node:events';

export interface DatagramLoadResult {
  readonly sent: number;
  readonly answered: number;
  /** answered / sent. */
  readonly share: number;
  /** Replies by ORCH_INSTANCE. */
  readonly byInstance: ReadonlyMap<string, number>;
  readonly pids: ReadonlySet<number>;
}

export interface DatagramLoad {
  /** Datagrams sent so far. */
  sent(): number;
  /** Resolves once `n` replies have come back. */
  answered(n: number): Promise<void>;
  /** Stops sending, gives the last datagrams `graceMs` to be answered, closes the socket. */
  stop(graceMs?: number): Promise<DatagramLoadResult>;
}

/** One datagram every `intervalMs` to 127.0.0.1:port, at most `maxCount` (a safety bound). */
export const startDatagramLoad = async (port: number, intervalMs = 5, maxCount = 20_000): Promise<DatagramLoad> => {
  const socket = createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  let sent = 0;
  const replied = new Set<number>();
  const byInstance = new Map<string, number>();
  const pids = new Set<number>();
  const waiters: { n: number; resolve: () => void }[] = [];
  socket.on('message', (msg) => {
    const [instance, pid, seq] = msg.toString().split(' ');
    if (instance === undefined || seq === undefined || replied.has(Number(seq))) return;
    replied.add(Number(seq));
    byInstance.set(instance, (byInstance.get(instance) ?? 0) + 1);
    pids.add(Number(pid));
    for (const w of waiters.filter((x) => replied.size >= x.n)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  const timer = setInterval(() => {
    if (sent >= maxCount) return clearInterval(timer);
    socket.send(String(sent++), port, '127.0.0.1');
  }, intervalMs);
  const settled = async (graceMs: number): Promise<void> => {
    const deadline = Date.now() + graceMs;
    while (replied.size < sent && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  };
  return {
    sent: () => sent,
    answered: (n) => (replied.size >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
    stop: async (graceMs = 1000) => {
      clearInterval(timer);
      await settled(graceMs);
      socket.close();
      return { sent, answered: replied.size, share: sent === 0 ? 0 : replied.size / sent, byInstance, pids };
    },
  };
};
