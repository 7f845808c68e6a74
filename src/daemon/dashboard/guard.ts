// Who may ask the dashboard what (pure, table-tested): the Host names the address served (a
// DNS-rebinding page sends its own name), an Origin if sent is that address, every API request
// carries a token, and an action is a POST. The page's static files carry no data and are the
// only thing served without a token: the token lives in the URL fragment, which the browser never
// sends, so the page must load before it can read it.
import { hostPort, isLoopback } from '../http-addr.js';
export interface Served {
  readonly host: string;
  readonly port: number;
}

export interface RequestFacts {
  readonly method: string;
  readonly path: string;
  readonly host: string | undefined;
  readonly origin: string | undefined;
  readonly tokenOk: boolean;
}

export type Access = 'public' | 'read' | 'action';

export type Verdict = { readonly ok: true } | { readonly ok: false; readonly status: 401 | 403 | 405; readonly message: string };


/** The Host headers that name the served address (a loopback dashboard answers to `localhost` too). */
export const allowedHosts = ({ host, port }: Served): readonly string[] =>
  isLoopback(host) ? [...new Set([host, '127.0.0.1', 'localhost'])].map((h) => hostPort(h, port)) : [hostPort(host, port)];

export const accessOf = (method: string, path: string): Access =>
  !path.startsWith('/api/') ? 'public' : method === 'POST' ? 'action' : 'read';

export const checkRequest = (req: RequestFacts, served: Served): Verdict => {
  const hosts = allowedHosts(served);
  if (req.host === undefined || !hosts.includes(req.host.toLowerCase())) {
    return { ok: false, status: 403, message: `Host '${req.host ?? ''}' is not the address served (${hosts.join(', ')})` };
  }
  if (req.origin !== undefined && !hosts.some((h) => req.origin === `http://${h}`)) {
    return { ok: false, status: 403, message: `Origin '${req.origin}' is not the dashboard's` };
  }
  const access = accessOf(req.method, req.path);
  if (access === 'public') return req.method === 'GET' || req.method === 'HEAD' ? { ok: true } : { ok: false, status: 405, message: 'only GET here' };
  if (!req.tokenOk) return { ok: false, status: 401, message: 'a token is needed: open the URL orch dashboard printed' };
  if (access === 'read' && req.method !== 'GET') return { ok: false, status: 405, message: 'reads are GET, actions are POST' };
  return { ok: true };
};
