// One request line → one handler call → one response (events before it). Everything a client
// can get wrong is answered here with a stable code and no stack, before any handler runs
// (SPEC §10): a request that fails these checks has changed nothing.
import type { Logger } from 'pino';
import { isOrchError, type ErrorCode } from '../errors.js';
import type { Handler, Handlers } from './daemon.js';
import type { Method, Response } from './protocol.js';
import { PROTOCOL_VERSION } from './protocol.js';
import { paramsProblem } from './request-shape.js';

export interface ParsedRequest {
  readonly id: number;
  readonly method: Method;
  readonly params: unknown;
}

type Refusal = { readonly id: number; readonly ok: false; readonly error: { readonly code: ErrorCode; readonly message: string } };

const refuse = (id: number, code: ErrorCode, message: string): Refusal => ({ id, ok: false, error: { code, message } });

const ENVELOPE = 'expected {"v": 1, "id": <integer>, "method": <string>, "params": <object>}';

/** The request in `line`, or the error reply it gets. Pure. */
export const parseRequest = (line: string, handlers: Handlers): ParsedRequest | Refusal => {
  let req: unknown;
  try {
    req = JSON.parse(line);
  } catch {
    return refuse(-1, 'ORCH_BAD_REQUEST', `malformed request: not JSON; ${ENVELOPE}`);
  }
  if (typeof req !== 'object' || req === null || Array.isArray(req)) {
    return refuse(-1, 'ORCH_BAD_REQUEST', `malformed request: got ${req === null ? 'null' : Array.isArray(req) ? 'an array' : typeof req}; ${ENVELOPE}`);
  }
  // WARNING: own properties only, here and for the method: a JSON object inherits `constructor`.
  const field = (k: string): unknown => (Object.hasOwn(req, k) ? (req as Record<string, unknown>)[k] : undefined);
  const rawId = field('id');
  const id = Number.isSafeInteger(rawId) ? (rawId as number) : -1;
  const v = field('v');
  // A version mismatch first: another version's request may be shaped differently, and its
  // sender needs to hear that it is a version problem.
  if (typeof v === 'number' && v !== PROTOCOL_VERSION) {
    return refuse(
      id,
      'ORCH_PROTOCOL_MISMATCH',
      `this orch CLI speaks protocol ${String(v)} but the running daemon speaks ${PROTOCOL_VERSION}: run 'orch daemon stop' with the old CLI, then retry`,
    );
  }
  if (typeof v !== 'number') return refuse(id, 'ORCH_BAD_REQUEST', `malformed request: no protocol version 'v'; ${ENVELOPE}`);
  if (id === -1) return refuse(-1, 'ORCH_BAD_REQUEST', `malformed request: 'id' must be an integer; ${ENVELOPE}`);
  const method = field('method');
  if (typeof method !== 'string') return refuse(id, 'ORCH_BAD_REQUEST', `malformed request: 'method' must be a string; ${ENVELOPE}`);
  if (!Object.hasOwn(handlers, method)) return refuse(id, 'ORCH_UNKNOWN_METHOD', `unknown method '${method}'`);
  const params = field('params');
  const problem = paramsProblem(method as Method, params);
  if (problem !== undefined) return refuse(id, 'ORCH_BAD_REQUEST', `malformed '${method}' request: ${problem}`);
  return { id, method: method as Method, params };
};

/** Answers one request line through `send`. Never throws. */
export const dispatch = async (line: string, handlers: Handlers, send: (r: Response) => void, logger: Logger): Promise<void> => {
  const req = parseRequest(line, handlers);
  if ('ok' in req) {
    send(req);
    return;
  }
  const { id, method } = req;
  const handler = handlers[method] as Handler<Method>;
  try {
    const result = await handler(req.params as never, (event) => send({ id, event }));
    send({ id, ok: true, result });
  } catch (e) {
    if (isOrchError(e)) {
      send({ id, ok: false, error: { code: e.code, message: e.message } });
    } else {
      // The stack is for the daemon's log, not for the client (SPEC §10).
      logger.error({ err: e, method }, 'request failed');
      send({ id, ok: false, error: { code: 'ORCH_INTERNAL', message: `'${method}' failed inside the daemon: ${(e as Error).message ?? String(e)} (the stack is in daemon.log)` } });
    }
  }
};
