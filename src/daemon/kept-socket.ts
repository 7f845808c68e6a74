// A unix socket the daemon keeps: bound owner-only from the moment its file exists, and bound
// again if the file disappears or something else takes its path (checked every second and on
// `check()`, i.e. SIGHUP), so a removed socket file never loses the daemon (SPEC §10). The control
// socket and the message bus both use it.
import { chmodSync, statSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';

export interface KeptSocket {
  /** Binds the socket again if its file is gone or is no longer ours. */
  check(): void;
  /** Stops accepting and removes the socket file if it is still ours. */
  close(): void;
}

export interface KeepOptions {
  /** For the daemon's log: `control socket`, `bus socket`. */
  readonly name: string;
  readonly checkEveryMs?: number;
}

export const keepSocket = async (
  path: string,
  onConnection: (socket: Socket) => void,
  logger: Logger,
  options: KeepOptions,
): Promise<KeptSocket> => {
  let current = await bind(path, onConnection, logger, options.name);
  let rebinding = false;
  let lastProblem = '';

  const check = () => {
    if (rebinding || inodeAt(path) === current.ino) return;
    rebinding = true;
    // Connections already open stay served: close() only stops the old listener accepting.
    current.server.close();
    bind(path, onConnection, logger, options.name).then(
      (next) => {
        current = next;
        rebinding = false;
        lastProblem = '';
        logger.warn({ socket: path }, `${options.name} was removed or replaced; bound it again`);
      },
      (e: unknown) => {
        rebinding = false;
        const problem = (e as Error).message;
        // Once per distinct problem: this runs every second until it works.
        if (problem !== lastProblem) logger.error({ err: e, socket: path }, `cannot bind the ${options.name} again; retrying`);
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
      if (inodeAt(path) === current.ino) {
        try {
          unlinkSync(path);
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

const bind = (path: string, onConnection: (s: Socket) => void, logger: Logger, name: string): Promise<{ server: Server; ino: number }> =>
  new Promise((resolve, reject) => {
    try {
      unlinkSync(path); // a dead predecessor's, or whatever took the path: we hold the daemon lock
    } catch {
      // none (the usual case), or not removable: listen says why
    }
    const server = createServer(onConnection);
    server.once('error', reject);
    // Only the owner may connect: the socket acts as the owner. The umask makes it so from the
    // moment it exists (ORCH_HOME may be a directory others can enter); bind() runs synchronously
    // inside listen(), so the umask is restored at once.
    const umask = process.umask(0o177);
    try {
      server.listen(path, () => {
        try {
          chmodSync(path, 0o600);
          const ino = statSync(path).ino;
          server.off('error', reject);
          server.on('error', (e) => logger.error({ err: e }, `${name} error`));
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
