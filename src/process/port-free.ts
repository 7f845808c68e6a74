// Is a TCP port free? Asked of the kernel by binding it, not by reading /proc/net (see port-holders.ts).
import { createServer } from 'node:net';

/**
 * Whether nobody listens on `port`, by trying to listen there ourselves (dual-stack `::`, so an
 * IPv4 or IPv6 listener on any address conflicts), closed at once. WARNING: reading
 * /proc/net/tcp walks the kernel's whole connection table (10-40 ms on a busy host, blocking);
 * this asks the kernel for one port, off the event loop. A `true` is a moment's truth only.
 */
export const portLooksFree = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer();
    server.unref();
    const tryHost = (host: string, fallback: string | undefined): void => {
      server.once('error', (e: NodeJS.ErrnoException) => {
        // No IPv6 on this host: the IPv4 wildcard is the widest bind left.
        if (fallback !== undefined && (e.code === 'EAFNOSUPPORT' || e.code === 'EADDRNOTAVAIL')) tryHost(fallback, undefined);
        else resolve(false);
      });
      // close() releases the port at once (libuv closes the fd synchronously); only its callback
      // waits for the next turn of the loop, which a timed respawn need not.
      server.listen({ port, host, exclusive: true, ipv6Only: false }, () => {
        server.close();
        resolve(true);
      });
    };
    tryHost('::', '0.0.0.0');
  });
