// Socket mode: orch binds the app's port once and keeps it for the app's life; every instance
// gets the listening socket as fd 3 with LISTEN_FDS=1, LISTEN_FDNAMES=<app> and LISTEN_PID=<its
// own pid> (systemd's socket-activation convention). A reload never closes the socket, so
// connections that arrive while instances are replaced wait in its backlog. With `protocol: udp`
// it is a bound datagram socket instead (systemd's ListenDatagram=, SPEC §14): datagrams that
// arrive while instances are replaced wait in its receive buffer.
import dgram from 'node:dgram';
import net from 'node:net';
import { getSystemErrorName } from 'node:util';
import { execa } from 'execa';
import type { AppSpec, Protocol } from '../../config/desired.js';
import { canOverlap as modeCanOverlap, protocolOf } from '../../config/modes.js';
import { portInUse } from '../../process/port-holders.js';
import type { LaunchResult, Launcher } from './launcher.js';
import { type SpawnContext, spawnInstance } from './spawn.js';

/**
 * Where orch binds: all IPv4 interfaces, what `listen(port)` in the app itself would expose
 * (IPv6 aside). Clients on 127.0.0.1 reach it.
 */
export const SOCKET_HOST = '0.0.0.0';
const BACKLOG = 511;

/** libuv's TCP handle as node:net creates it (internal API, see bindSocket). */
interface TcpHandle {
  readonly fd: number;
  /** Fills `out` with the bound address; returns 0 or a negative errno (a deferred bind error). */
  getsockname(out: { port?: number }): number;
  close(): void;
}

/** libuv's UDP handle as node:dgram creates it (internal API, see bindDatagramSocket). */
interface UdpHandle {
  readonly fd: number;
  /** Returns 0 or a negative errno: uv_udp_bind reports EADDRINUSE at once, nothing is deferred. */
  bind(address: string, port: number, flags: number): number;
  getsockname(out: { port?: number }): number;
  close(): void;
}

/** What both handles offer orch: an fd to hand out, the bound port to check, a close. */
type SocketHandle = Pick<TcpHandle, 'fd' | 'getsockname' | 'close'>;

type Held =
  | { readonly ok: true; readonly port: number; readonly protocol: Protocol; readonly handle: SocketHandle }
  | { readonly ok: false; readonly reason: string };

/** The port the handle is bound to, or the negative errno that keeps it from being bound. */
const boundPort = (handle: SocketHandle): number => {
  const out: { port?: number } = {};
  const err = handle.getsockname(out);
  return err !== 0 ? err : (out.port ?? 0);
};

/** `port 3000 is in use by pid 1234 (python3)` when the bind failed for that, else the errno's name. */
const bindFailure = (port: number, errno: number, protocol: Protocol = 'tcp'): string => {
  const name = getSystemErrorName(errno);
  const held = name === 'EADDRINUSE' ? portInUse(port, undefined, protocol) : undefined;
  return held ?? `cannot bind ${SOCKET_HOST}:${port}${protocol === 'udp' ? '/udp' : ''}: ${name}`;
};

/**
 * The throwaway process that calls listen(2) on fd 3. It exits from the `listening` or `error`
 * callback: both run on process.nextTick, before its event loop polls, so it never accepts a
 * connection, and an error is seen (exit 1) instead of lost by an early exit 0. It prints the
 * port it ended up listening on.
 */
const LISTEN_SCRIPT = `const s = require('node:net').createServer();
s.once('error', (e) => { process.stderr.write(String(e.code || e.message)); process.exit(1); });
s.listen({ fd: 3, backlog: ${BACKLOG} }, () => { process.stdout.write(String(s.address().port)); process.exit(0); });`;

/**
 * WARNING: the daemon must hold a LISTENING socket it never accepts on: a net.Server would
 * accept (and so steal) the connections meant for the instances. So we bind a bare handle with
 * node:net's internal `_createServerHandle` (bound, not listening, not watched by our event
 * loop) and have a throwaway node process call listen(2) on it. The socket is then listening
 * for everyone who holds it.
 *
 * WARNING: libuv defers a bind's EADDRINUSE to listen (uv_tcp_bind's `delayed_error`): the
 * handle comes back UNBOUND, and listen(2) on an unbound socket binds a random ephemeral port.
 * getsockname reports the deferred error, so the port is checked before and after the listen:
 * orch never hands out a socket on another port (SPEC §9).
 */
const bindSocket = async (port: number): Promise<Held> => {
  const create = (net as unknown as { _createServerHandle?: (address: string, port: number, addressType: number) => TcpHandle | number })
    ._createServerHandle;
  if (create === undefined) return { ok: false, reason: 'this Node version cannot bind a socket for socket mode' };
  const handle = create(SOCKET_HOST, port, 4);
  if (typeof handle === 'number') return { ok: false, reason: bindFailure(port, handle) };
  const fail = (reason: string): Held => {
    handle.close();
    return { ok: false, reason };
  };
  const bound = boundPort(handle);
  if (bound < 0) return fail(bindFailure(port, bound));
  if (bound !== port) return fail(`cannot bind ${SOCKET_HOST}:${port}: bound to port ${bound} instead`);
  const listen = await execa(process.execPath, ['-e', LISTEN_SCRIPT], {
    // WARNING: execa's types reject a raw fd past stdio[2], but it passes one through to spawn.
    stdio: ['ignore', 'pipe', 'pipe', handle.fd] as unknown as ['ignore', 'pipe', 'pipe'],
    reject: false,
    extendEnv: false,
    env: {},
  });
  if (listen.exitCode !== 0) return fail(`cannot listen on ${SOCKET_HOST}:${port}: ${String(listen.stderr).trim() || listen.shortMessage}`);
  const listening = Number(String(listen.stdout).trim());
  if (listening !== port || boundPort(handle) !== port) return fail(`cannot listen on ${SOCKET_HOST}:${port}: listening on port ${listening} instead`);
  return { ok: true, port, protocol: 'tcp', handle };
};

/**
 * A UDP handle bound to SOCKET_HOST:port, or the negative errno of the bind: node:dgram's own
 * constructor through process.binding, else dgram's deprecated `_createSocketHandle` (the same
 * handle, with a deprecation warning), else undefined.
 */
const bindUdpHandle = (port: number): UdpHandle | number | undefined => {
  let UDP: (new () => UdpHandle) | undefined;
  try {
    UDP = (process as unknown as { binding(name: string): { UDP?: new () => UdpHandle } }).binding('udp_wrap').UDP;
  } catch {
    // gone from this Node version: try the next way
  }
  if (UDP !== undefined) {
    const handle = new UDP();
    const err = handle.bind(SOCKET_HOST, port, 0);
    if (err === 0) return handle;
    handle.close();
    return err;
  }
  type Create = (address: string, port: number, type: string, fd: number, flags: number) => UdpHandle | number;
  const create = (dgram as unknown as { _createSocketHandle?: Create })._createSocketHandle;
  return create?.(SOCKET_HOST, port, 'udp4', -1, 0);
};

/**
 * WARNING: as for TCP, the daemon must hold a socket it never reads: a dgram.Socket starts
 * receiving as soon as it is bound (recvStart in its `listening` step), and every datagram the
 * daemon's event loop read would be one the instances never get. So we bind a bare libuv UDP
 * handle (node:dgram's own constructor, through process.binding) and never start it: the kernel
 * queues datagrams in the socket's receive buffer for whichever process holding fd 3 reads.
 * A datagram socket needs no listen(2), so no helper process either: bind is the whole setup.
 * No SO_REUSEADDR (flags 0): a second bind on the port, ours or anyone's, fails with EADDRINUSE
 * instead of silently splitting the datagrams between two sockets.
 * WARNING: libuv makes the socket O_NONBLOCK, and fd 3 of every instance is the same open file
 * description: an app must wait with poll/select (or recv with MSG_DONTWAIT), and setting it
 * blocking changes it for every instance (README, UDP).
 */
const bindDatagramSocket = (port: number): Held => {
  const handle = bindUdpHandle(port);
  if (handle === undefined) return { ok: false, reason: 'this Node version cannot bind a datagram socket for socket mode' };
  if (typeof handle === 'number') return { ok: false, reason: bindFailure(port, handle, 'udp') };
  const bound = boundPort(handle);
  if (bound === port) return { ok: true, port, protocol: 'udp', handle };
  handle.close();
  return { ok: false, reason: bound < 0 ? bindFailure(port, bound, 'udp') : `cannot bind ${SOCKET_HOST}:${port}/udp: bound to port ${bound} instead` };
};

export class SocketLauncher implements Launcher {
  private readonly sockets = new Map<string, Promise<Held>>();

  constructor(private readonly context: SpawnContext) {}

  instancePort(spec: AppSpec): number | undefined {
    return spec.port;
  }

  canOverlap(spec: AppSpec): boolean {
    return modeCanOverlap(spec);
  }

  async launch(spec: AppSpec, index: number): Promise<LaunchResult> {
    if (spec.port === undefined) return { ok: false, reason: 'mode socket needs a port' };
    const held = await this.socketFor(spec.name, spec.port, protocolOf(spec));
    if (!held.ok) return held;
    // What every instance gets as fd 3 is the declared port, checked at each hand-out (one syscall).
    const bound = boundPort(held.handle);
    if (bound !== spec.port) return { ok: false, reason: `the socket for port ${spec.port} is bound to ${bound < 0 ? getSystemErrorName(bound) : `port ${bound}`}` };
    return spawnInstance(this.context, spec, index, spec.port, {
      listenFd: held.handle.fd,
      env: { LISTEN_FDS: '1', LISTEN_FDNAMES: spec.name },
      relaunch: () => this.launch(spec, index),
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

  private async socketFor(app: string, port: number, protocol: Protocol): Promise<Held> {
    const existing = this.sockets.get(app);
    if (existing !== undefined) {
      const held = await existing;
      if (held.ok && held.port === port && held.protocol === protocol) return held;
      // A new port or protocol only comes with a restart (every instance stopped): rebind.
      if (this.sockets.get(app) === existing) await this.release(app);
      else return this.socketFor(app, port, protocol);
    }
    const binding = protocol === 'udp' ? Promise.resolve(bindDatagramSocket(port)) : bindSocket(port);
    this.sockets.set(app, binding);
    const held = await binding;
    // A failed bind is not kept: the next start tries again.
    if (!held.ok && this.sockets.get(app) === binding) this.sockets.delete(app);
    return held;
  }
}
