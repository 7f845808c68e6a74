// The control socket: NDJSON requests in, events and one response per request out.
import { chmodSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';
import { isOrchError } from '../errors.js';
import type { Handler, Handlers } from './daemon.js';
import type { Method, Request, Response } from './protocol.js';
import { PROTOCOL_VERSION } from './protocol.js';

export const listen = (socketPath: string, handlers: Handlers, logger: Logger): Promise<Server> =>
  new Promise((resolve, reject) => {
    const server = createServer((socket) => serve(socket, handlers, logger));
    server.once('error', reject);
    server.listen(socketPath, () => {
      // Only the owner may connect: the socket can start and kill processes as the owner.
      chmodSync(socketPath, 0o600);
      server.off('error', reject);
      server.on('error', (e) => logger.error({ err: e }, 'control socket error'));
      resolve(server);
    });
  });

const serve = (socket: Socket, handlers: Handlers, logger: Logger): void => {
  const send = (r: Response) => {
    if (!socket.destroyed) socket.write(`${JSON.stringify(r)}\n`);
  };
  socket.on('error', () => socket.destroy());
  createInterface({ input: socket, crlfDelay: Infinity }).on('line', (line) => {
    void handle(line, handlers, send, logger);
  });
};

const handle = async (line: string, handlers: Handlers, send: (r: Response) => void, logger: Logger) => {
  let req: Request;
  try {
    req = JSON.parse(line) as Request;
  } catch {
    send({ id: -1, ok: false, error: { code: 'ORCH_INTERNAL', message: 'malformed request: not JSON' } });
    return;
  }
  const id = typeof req.id === 'number' ? req.id : -1;
  if (req.v !== PROTOCOL_VERSION) {
    send({
      id,
      ok: false,
      error: {
        code: 'ORCH_PROTOCOL_MISMATCH',
        message: `this orch CLI speaks protocol ${String(req.v)} but the running daemon speaks ${PROTOCOL_VERSION}: run 'orch daemon stop' with the old CLI, then retry`,
      },
    });
    return;
  }
  const handler = (handlers as Record<string, Handler<Method> | undefined>)[req.method];
  if (!handler) {
    send({ id, ok: false, error: { code: 'ORCH_INTERNAL', message: `unknown method '${String(req.method)}'` } });
    return;
  }
  try {
    const result = await handler(req.params, (event) => send({ id, event }));
    send({ id, ok: true, result });
  } catch (e) {
    if (isOrchError(e)) {
      send({ id, ok: false, error: { code: e.code, message: e.message } });
    } else {
      logger.error({ err: e, method: req.method }, 'request failed');
      send({ id, ok: false, error: { code: 'ORCH_INTERNAL', message: (e as Error).stack ?? String(e) } });
    }
  }
};
