// The control socket: NDJSON requests in, events and one response per request out. The socket
// file is kept (kept-socket.ts): if it disappears, the daemon binds it again.
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Handlers } from './daemon.js';
import { dispatch } from './dispatch.js';
import { type KeptSocket, keepSocket } from './kept-socket.js';
import type { Response } from './protocol.js';
import { MAX_REQUEST_BYTES } from './protocol.js';
import { readRequestLines } from './request-lines.js';

export type ControlSocket = KeptSocket;

export interface ListenOptions {
  readonly checkEveryMs?: number;
  readonly maxRequestBytes?: number;
}

export const listen = async (socketPath: string, handlers: Handlers, logger: Logger, options: ListenOptions = {}): Promise<ControlSocket> => {
  const maxBytes = options.maxRequestBytes ?? MAX_REQUEST_BYTES;
  return keepSocket(socketPath, (socket) => serve(socket, handlers, logger, maxBytes), logger, {
    name: 'control socket',
    ...(options.checkEveryMs === undefined ? {} : { checkEveryMs: options.checkEveryMs }),
  });
};

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
