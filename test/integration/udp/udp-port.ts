// A port free for both TCP and UDP right now: the shared helper (test/helpers/ports.ts) checks
// TCP only, and a UDP app under test must not find its number taken by a datagram socket.
import { createSocket } from 'node:dgram';
import { freePort } from '../../helpers/ports.js';

const udpFree = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => resolve(false));
    socket.bind(port, '0.0.0.0', () => socket.close(() => resolve(true)));
  });

export const freeUdpPort = async (): Promise<number> => {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await freePort();
    if (await udpFree(port)) return port;
  }
  throw new Error('no port free for both TCP and UDP');
};
