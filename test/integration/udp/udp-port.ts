// A port free for both TCP and UDP right now: the shared helper (test/helpers/ports.ts) checks
// TCP only, and a UDP app under test must not find its number taken by a datagram socket.
import { createSocket } from 'node:dgram';
import { freePortRange } from '../../helpers/ports.js';

const udpFree = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => resolve(false));
    socket.bind(port, '0.0.0.0', () => socket.close(() => resolve(true)));
  });

/** `count` consecutive ports (fork mode's port + i), the first returned. */
export const freeUdpPortRange = async (count: number): Promise<number> => {
  for (let attempt = 0; attempt < 20; attempt++) {
    const base = await freePortRange(count);
    const free = await Promise.all(Array.from({ length: count }, (_, i) => udpFree(base + i)));
    if (free.every(Boolean)) return base;
  }
  throw new Error(`no ${count} ports free for both TCP and UDP`);
};

export const freeUdpPort = (): Promise<number> => freeUdpPortRange(1);
