// `ready.type: notify`, systemd's sd_notify protocol, for any language: orch binds a unix
// datagram socket per instance, passes its path as NOTIFY_SOCKET, and counts the instance ready
// when a datagram says READY=1. One socket per instance (not systemd's one shared socket) because
// that is how a message is tied to its sender without SCM_CREDENTIALS. The sockets live in
// ORCH_HOME/notify, which only its owner can enter.
//
// Node has no unix datagram sockets (dgram is UDP only), so this uses the native addon
// unix-dgram, an optional dependency: where it did not build, an instance with notify readiness
// fails to start and says why, instead of waiting for a message that can never arrive.
//
// WARNING: descriptors sent with a datagram (SCM_RIGHTS: systemd-notify's BARRIER=1 sends a pipe's
// write end and waits for it to close) are never seen here, and that is what closes them at once:
// unix-dgram calls recvmsg(2) with no control buffer, so the kernel sets MSG_CTRUNC and releases
// every passed descriptor instead of installing it in the daemon (test/faults/notify-fds.test.ts
// checks both: systemd-notify returns at once, the daemon's fd count does not grow). Whatever
// replaces unix-dgram must keep this, or receive SCM_RIGHTS and close each fd.
import { mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';

/** The part of unix-dgram this module uses. */
interface DgramSocket {
  on(event: 'message', listener: (data: Buffer) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  bind(path: string): void;
  close(): void;
}
interface UnixDgram {
  createSocket(type: 'unix_dgram'): DgramSocket;
}

/**
 * The longest notify datagram read (systemd's own limit, NOTIFY_BUFFER_MAX). WARNING: unix-dgram
 * cuts a longer datagram at 64 KiB without saying so; a cut message is ignored, never half-read.
 */
export const MAX_NOTIFY_BYTES = 4096;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** sizeof(sockaddr_un.sun_path) - 1 on Linux; unix-dgram silently truncates a longer path. */
const MAX_SOCKET_PATH = 107;

export interface NotifySocket {
  /** NOTIFY_SOCKET for the instance. */
  readonly path: string;
  /** Resolves at the first READY=1. */
  readonly ready: Promise<void>;
  /** Stops listening and removes the socket file. */
  close(): void;
}

export type NotifyOpen = { readonly ok: true; readonly socket: NotifySocket } | { readonly ok: false; readonly reason: string };

/** The assignments of one sd_notify datagram (`READY=1\nSTATUS=...`); later ones win. */
export const parseNotify = (text: string): ReadonlyMap<string, string> => {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) fields.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return fields;
};

/** The fields of a datagram, or undefined for one that is not a notify message (oversize, NUL bytes, not UTF-8). */
export const notifyMessage = (data: Buffer): ReadonlyMap<string, string> | undefined => {
  if (data.length > MAX_NOTIFY_BYTES || data.includes(0)) return undefined;
  let text: string;
  try {
    text = utf8.decode(data);
  } catch {
    return undefined;
  }
  return parseNotify(text);
};

let addon: UnixDgram | string | undefined;
/** unix-dgram, or why it cannot be loaded. Loaded once, on first use. */
const loadAddon = (): UnixDgram | string => {
  if (addon === undefined) {
    try {
      addon = createRequire(import.meta.url)('unix-dgram') as UnixDgram;
    } catch (e) {
      addon =
        'ready.type notify needs the optional dependency unix-dgram (a native addon built by node-gyp at npm install), ' +
        `which is not available here (${(e as Error).message.split('\n')[0]}); use message, http, tcp or none`;
    }
  }
  return addon;
};

/** The notify sockets of one daemon, in one directory it owns. */
export class NotifySockets {
  private prepared = false;
  private next = 0;

  constructor(private readonly dir: string) {}

  open(): NotifyOpen {
    const dgram = loadAddon();
    if (typeof dgram === 'string') return { ok: false, reason: dgram };
    if (!this.prepared) {
      // Whatever is here belongs to a dead predecessor: its instances were reaped with it.
      rmSync(this.dir, { recursive: true, force: true });
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      this.prepared = true;
    }
    const path = `${this.dir}/${process.pid.toString(36)}-${(this.next++).toString(36)}.sock`;
    if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
      return { ok: false, reason: `NOTIFY_SOCKET path ${path} is longer than ${MAX_SOCKET_PATH} bytes: use a shorter ORCH_HOME` };
    }
    let failure: Error | undefined;
    let resolveReady!: () => void;
    const ready = new Promise<void>((resolve) => (resolveReady = resolve));
    const socket = dgram.createSocket('unix_dgram');
    socket.on('error', (e) => (failure = e));
    socket.on('message', (data) => {
      if (notifyMessage(data)?.get('READY') === '1') resolveReady();
    });
    socket.bind(path);
    let open = true;
    const close = (): void => {
      if (!open) return;
      open = false;
      socket.close();
      rmSync(path, { force: true });
    };
    if (failure !== undefined) {
      close();
      return { ok: false, reason: `cannot bind NOTIFY_SOCKET ${path}: ${failure.message}` };
    }
    return { ok: true, socket: { path, ready, close } };
  }
}
