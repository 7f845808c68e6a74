// The control socket: NDJSON requests in, events and one response per request out. The socket
// file is kept: if it disappears (or something else takes its path), the daemon binds it again,
// checking every second and on `check()` (SIGHUP), so a removed socket never loses the daemon.
import { chmodSync, statSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Handlers } from './daemon.js';
import { dispatch } from './dispatch.js';
import type { Response } from './protocol.js';
import { MAX_REQUEST_BYTES } from './protocol.js';
import { readRequestLines } from './request-lines.js';

export interface ControlSocket {
  /** Binds the socket again if its file is gone or is no longer ours. */
  check(): void;
  /** Stops accepting and removes the socket file if it is still ours. */
  close(): void;
}

export interface ListenOptions {
  readonly checkEveryMs?: number;
  readonly maxRequestBytes?: number;
}

export const listen = async (socketPath: string, handlers: Handlers, logger: Logger, options: ListenOptions = {}): Promise<ControlSocket> => {
  const maxBytes = options.maxRequestBytes ?? MAX_REQUEST_BYTES;
  const onConnection = (socket: Socket) => serve(socket, handlers, logger, maxBytes);
  let current: { server: Server; ino: number } = await bind(socketPath, onConnection, logger);
  let rebinding = false;
  let lastProblem = '';

  const check = () => {
    if (rebinding || inodeAt(socketPath) === current.ino) return;
    rebinding = true;
    const old = current.server;
    // Connections already open stay served: close() only stops the old listener accepting.
    old.close();
    try {
      unlinkSync(socketPath); // whatever took the path: we hold the daemon lock, the path is ours
    } catch {
      // already gone (the usual case), or not removable: bind says why
    }
    bind(socketPath, onConnection, logger).then(
      (next) => {
        current = next;
        rebinding = false;
        lastProblem = '';
        logger.warn({ socket: socketPath }, 'control socket was removed or replaced; bound it again');
      },
      (e: unknown) => {
        rebinding = false;
        const problem = (e as Error).message;
        // Once per distinct problem: this runs every second until it works.
        if (problem !== lastProblem) logger.error({ err: e, socket: socketPath }, 'cannot bind the control socket again; retrying');
        lastProblem = problem;
      },
    );
  };
  const timer = setInterval(check, options.checkEveryMs ?? 1000);
  timer.unref();

  return {
    check,
    close() {
      clearInterval(timer);
      current.server.close();
      if (inodeAt(socketPath) === current.ino) {
        try {
          unlinkSync(socketPath);
        } catch {
          // already gone
        }
      }
    },
  };
};

const inodeAt = (path: string): number | undefined => {
  try {
    return statSync(path).ino;
  } catch {
    return undefined;
  }
};

const bind = (socketPath: string, onConnection: (s: Socket) => void, logger: Logger): Promise<{ server: Server; ino: number }> =>
  new Promise((resolve, reject) => {
    const server = createServer(onConnection);
    server.once('error', reject);
    // Only the owner may connect: the socket can start and kill processes as the owner. The
    // umask makes it so from the moment it exists (ORCH_HOME may be a directory others can enter);
    // bind() runs synchronously inside listen(), so the umask is restored at once.
    const umask = process.umask(0o177);
    try {
      server.listen(socketPath, () => {
        try {
          chmodSync(socketPath, 0o600);
          const ino = statSync(socketPath).ino;
          server.off('error', reject);
          server.on('error', (e) => logger.error({ err: e }, 'control socket error'));
          resolve({ server, ino });
        } catch (e) {
          server.close();
          reject(e as Error);
        }
      });
    } finally {
      process.umask(umask);
    }
  });

const serve = (socket: Socket, handlers: Handlers, logger: Logger, maxBytes: number): void => {
  const send = (r: Response) => {
    if (socket.destroyed) return;
    let text: string;
    try {
      text = JSON.stringify(r);
    } catch (e) {
      logger.error({ err: e }, 'response not serializable');
      text = JSON.stringify({ id: r.id, ok: false, error: { code: 'ORCH_INTERNAL', message: 'the response could not be serialized (see daemon.log)' } });
    }
    socket.write(`${text}\n`);
  };
  socket.on('error', () => socket.destroy());
  readRequestLines(socket, maxBytes, {
    line: (line) => {
      if (line.trim() !== '') void dispatch(line, handlers, send, logger);
    },
    tooLarge: () => {
      const reply: Response = {
        id: -1,
        ok: false,
        error: { code: 'ORCH_REQUEST_TOO_LARGE', message: `request line longer than ${maxBytes} bytes; closing the connection` },
      };
      logger.warn({ maxBytes }, 'control request over the size bound; connection closed');
      // Closed once the reply is out (or after a second if the client does not read it); what
      // the client still sends is never read.
      socket.write(`${JSON.stringify(reply)}\n`, () => socket.destroy());
      setTimeout(() => socket.destroy(), 1000).unref();
    },
  });
};
