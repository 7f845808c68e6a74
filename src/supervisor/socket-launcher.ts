// Socket mode: orch binds the app's port once and keeps it for the app's life; every instance
// gets the listening socket as fd 3 with LISTEN_FDS=1, LISTEN_FDNAMES=<app> and LISTEN_PID=<its
// own pid> (systemd's socket-activation convention). A reload never closes the socket, so
// connections that arrive while instances are replaced wait in its backlog.
import net from 'node:net';
import { getSystemErrorName } from 'node:util';
import { execa } from 'execa';
import type { AppSpec } from '../config/desired.js';
import { type LaunchResult, type Launcher, type SpawnContext, spawnInstance } from './spawn.js';

/**
 * Where orch binds: all IPv4 interfaces, what `listen(port)` in the app itself would expose
 * (IPv6 aside). Clients on 127.0.0.1 reach it.
 */
export const SOCKET_HOST = '0.0.0.0';
const BACKLOG = 511;

/** libuv's TCP handle as node:net creates it (internal API, see bindSocket). */
interface TcpHandle {
  readonly fd: number;
  close(): void;
}

type Held = { readonly ok: true; readonly port: number; readonly handle: TcpHandle } | { readonly ok: false; readonly reason: string };

/**
 * WARNING: the daemon must hold a LISTENING socket it never accepts on: a net.Server would
 * accept (and so steal) the connections meant for the instances. So we bind a bare handle with
 * node:net's internal `_createServerHandle` (bound, not listening, not watched by our event
 * loop) and have a throwaway node process call listen(2) on it, exiting before its own event
 * loop could accept anything. The socket is then listening for everyone who holds it.
 */
const bindSocket = async (port: number): Promise<Held> => {
  const create = (net as unknown as { _createServerHandle?: (address: string, port: number, addressType: number) => TcpHandle | number })
    ._createServerHandle;
  if (create === undefined) return { ok: false, reason: 'this Node version cannot bind a socket for socket mode' };
  const handle = create(SOCKET_HOST, port, 4);
  if (typeof handle === 'number') return { ok: false, reason: `cannot bind ${SOCKET_HOST}:${port}: ${getSystemErrorName(handle)}` };
  const listen = await execa(process.execPath, ['-e', `require('node:net').createServer().listen({ fd: 3, backlog: ${BACKLOG} }); process.exit(0);`], {
    // WARNING: execa's types reject a raw fd past stdio[2], but it passes one through to spawn.
    stdio: ['ignore', 'ignore', 'pipe', handle.fd] as unknown as ['ignore', 'ignore', 'pipe'],
    reject: false,
    extendEnv: false,
    env: {},
  });
  if (listen.exitCode !== 0) {
    handle.close();
    return { ok: false, reason: `cannot listen on ${SOCKET_HOST}:${port}: ${String(listen.stderr).trim() || listen.shortMessage}` };
  }
  return { ok: true, port, handle };
};

export class SocketLauncher implements Launcher {
  private readonly sockets = new Map<string, Promise<Held>>();

  constructor(private readonly context: SpawnContext) {}

  instancePort(spec: AppSpec): number | undefined {
    return spec.port;
  }

  canOverlap(): boolean {
    return true;
  }

  async launch(spec: AppSpec, index: number): Promise<LaunchResult> {
    if (spec.port === undefined) return { ok: false, reason: 'mode socket needs a port' };
    const held = await this.socketFor(spec.name, spec.port);
    if (!held.ok) return held;
    return spawnInstance(this.context, spec, index, spec.port, {
      listenFd: held.handle.fd,
      env: { LISTEN_FDS: '1', LISTEN_FDNAMES: spec.name },
    });
  }

  async release(app: string): Promise<void> {
    const held = this.sockets.get(app);
    this.sockets.delete(app);
    const socket = await held;
    if (socket?.ok === true) socket.handle.close();
  }

  async close(): Promise<void> {
    await Promise.all([...this.sockets.keys()].map((app) => this.release(app)));
  }

  private async socketFor(app: string, port: number): Promise<Held> {
    const existing = this.sockets.get(app);
    if (existing !== undefined) {
      const held = await existing;
      if (held.ok && held.port === port) return held;
      // A new port only comes with a restart (every instance stopped): rebind.
      if (this.sockets.get(app) === existing) await this.release(app);
      else return this.socketFor(app, port);
    }
    const binding = bindSocket(port);
    this.sockets.set(app, binding);
    const held = await binding;
    // A failed bind is not kept: the next start tries again.
    if (!held.ok && this.sockets.get(app) === binding) this.sockets.delete(app);
    return held;
  }
}
