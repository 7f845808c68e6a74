// The web dashboard (SPEC §12), served by the daemon from memory on 127.0.0.1 (any other address
// only when `orch dashboard --host` asks). The page reads the daemon through the same handlers as
// the CLI; every API request carries a token minted by `orch dashboard` (guard.ts says who may
// ask what). Idle when nobody looks: the only timers are those of connected pages' streams.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { Logger } from 'pino';
import { isOrchError, OrchError } from '../../errors.js';
import type { DashboardInfo, Params, ProgressEvent, Result } from '../protocol.js';
import { type Asset, findAssetsDir, loadAssets } from './assets.js';
import { checkRequest, type Served } from './guard.js';
import { LiveFeed } from './live.js';
import { followAppLog } from './log-stream.js';
import { stateOf } from './rows.js';
import { SampleStore } from './samples.js';
import { bearerToken, TokenSet } from './tokens.js';
import { type ApiError, type AppEvent, DASHBOARD_VERBS, type DashboardVerb, instanceKey } from './wire.js';
import { hostPort } from '../http-addr.js';

/** The daemon's own handlers of these methods (the page does what the CLI's requests do). */
export type DashboardApi = { [M in 'status' | 'describe' | 'history' | DashboardVerb]: (params: Params<M>, emit: (e: ProgressEvent) => void) => Promise<Result<M>> };

export interface DashboardDeps {
  readonly api: DashboardApi;
  /** Tells `listener` every app event as it is recorded; returns the unsubscribe. */
  readonly subscribeEvents: (listener: (e: AppEvent) => void) => () => void;
  readonly home: string;
  readonly logger: Logger;
  /** Where index.html, app.js and app.css are; default: dist/dashboard/ next to this module. */
  readonly assetsDir?: string;
}

const WILDCARDS = new Set(['0.0.0.0', '::', '[::]']);

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  // Nothing but the daemon itself: no CDN, no inline script, no frame.
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
};

interface Running {
  readonly server: Server;
  readonly served: Served;
  readonly tokens: TokenSet;
}

export class DashboardServer {
  private running: Running | undefined;
  private assets: ReadonlyMap<string, Asset> | undefined;
  private readonly samples = new SampleStore();
  private readonly feed: LiveFeed;

  constructor(private readonly deps: DashboardDeps) {
    this.feed = new LiveFeed({
      status: () => deps.api.status({}, () => undefined),
      subscribeEvents: deps.subscribeEvents,
      samples: this.samples,
      onError: (err) => deps.logger.warn({ err }, 'dashboard: status for the live feed failed'),
    });
  }

  /** Serves (or keeps serving) on the asked address and mints a fresh token for the URL. */
  async open({ host = '127.0.0.1', port }: { host?: string; port?: number }): Promise<DashboardInfo> {
    if (WILDCARDS.has(host)) {
      throw new OrchError('ORCH_USAGE', `the dashboard serves one address, not every interface ('${host}'): name it, e.g. --host 192.168.1.10`);
    }
    if (host !== 'localhost' && isIP(host) === 0) throw new OrchError('ORCH_USAGE', `--host takes an IP address (or localhost), got '${host}'`);
    const current = this.running;
    const reuse = current !== undefined && current.served.host === host && (port === undefined || port === current.served.port);
    const running = reuse ? current : await this.listen(host, port);
    const token = running.tokens.mint();
    const { served } = running;
    return { url: `http://${hostPort(served.host, served.port)}/#token=${token}`, host: served.host, port: served.port };
  }

  async close(): Promise<void> {
    const running = this.running;
    this.running = undefined;
    if (running === undefined) return;
    this.feed.stop();
    running.server.closeAllConnections();
    await new Promise<void>((resolve) => running.server.close(() => resolve()));
  }

  /** For tests and the bench: whether a page's feed (and its timer) runs. */
  get feedActive(): boolean {
    return this.feed.active;
  }

  private async listen(host: string, port: number | undefined): Promise<Running> {
    if (this.assets === undefined) {
      const dir = this.deps.assetsDir ?? findAssetsDir();
      if (dir === undefined) throw new OrchError('ORCH_USAGE', "the dashboard's files (dist/dashboard/) are missing: run 'npm run build'");
      this.assets = loadAssets(dir);
    }
    await this.close();
    const tokens = new TokenSet();
    const server = createServer((req, res) => void this.handle(req, res, running));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          err.code === 'EADDRINUSE' || err.code === 'EADDRNOTAVAIL' || err.code === 'EACCES'
            ? new OrchError('ORCH_USAGE', `the dashboard cannot listen on ${hostPort(host, port ?? 0)}: ${err.code}`)
            : err,
        ),
      );
      server.listen(port ?? 0, host, () => resolve());
    });
    const address = server.address();
    const bound = typeof address === 'object' && address !== null ? address.port : (port ?? 0);
    const running: Running = { server, served: { host, port: bound }, tokens };
    this.running = running;
    this.deps.logger.info({ host, port: bound }, 'dashboard listening');
    return running;
  }

  private async handle(req: IncomingMessage, res: ServerResponse, running: Running): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    const path = url.pathname;
    const verdict = checkRequest(
      { method: req.method ?? 'GET', path, host: req.headers.host, origin: req.headers.origin, tokenOk: running.tokens.accepts(bearerToken(req.headers.authorization)) },
      running.served,
    );
    if (!verdict.ok) return sendJson(res, verdict.status, { code: 'ORCH_DASHBOARD_REFUSED', message: verdict.message });
    try {
      await this.route(req, res, path);
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (isOrchError(err)) return sendJson(res, err.code === 'ORCH_UNKNOWN_APP' ? 404 : 400, { code: err.code, message: err.message });
      this.deps.logger.error({ err, path }, 'dashboard request failed');
      sendJson(res, 500, { code: 'ORCH_INTERNAL', message: (err as Error).message ?? String(err) });
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const { api } = this.deps;
    const noEmit = () => undefined;
    const asset = this.assets?.get(path);
    if (asset !== undefined) {
      res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': asset.type, 'content-length': asset.body.length });
      res.end(req.method === 'HEAD' ? undefined : asset.body);
      return;
    }
    const m = /^\/api\/apps\/([^/]+)\/([a-z]+)$/.exec(path);
    // WARNING: before any read: a POST is an action or nothing (the guard lets every POST with the token through).
    if (req.method === 'POST' && m === null) return sendJson(res, 405, { code: 'ORCH_DASHBOARD_REFUSED', message: 'only actions are POST: /api/apps/<app>/<verb>' });
    if (path === '/api/state') return sendJson(res, 200, stateOf(await api.status({}, noEmit), Date.now()));
    if (path === '/api/history') return sendJson(res, 200, await api.history({}, noEmit));
    if (path === '/api/stream') {
      openStream(res);
      const unsubscribe = this.feed.subscribe({
        tick: (tick) => res.write(`event: tick\ndata: ${JSON.stringify(tick)}\n\n`),
        events: (events) => res.write(`event: events\ndata: ${JSON.stringify(events)}\n\n`),
      });
      res.on('close', unsubscribe);
      return;
    }
    if (m === null) return sendJson(res, 404, { code: 'ORCH_NOT_FOUND', message: `nothing at ${path}` });
    const app = decodeURIComponent(m[1]!);
    const what = m[2]!;
    if (req.method === 'POST') {
      if (!(DASHBOARD_VERBS as readonly string[]).includes(what)) return sendJson(res, 404, { code: 'ORCH_NOT_FOUND', message: `no action '${what}'` });
      this.deps.logger.info({ app, verb: what }, 'dashboard action');
      return sendJson(res, 200, await api[what as DashboardVerb]({ app }, noEmit));
    }
    if (what === 'events') return sendJson(res, 200, (await api.describe({ app }, noEmit)).events);
    if (what === 'samples') {
      const { app: view } = await api.describe({ app }, noEmit);
      return sendJson(res, 200, this.samples.series(view.instances.map((i) => instanceKey(app, i.index))));
    }
    if (what === 'logs') {
      // WARNING: the name becomes a file path: only an app the daemon knows (describe throws otherwise).
      await api.describe({ app }, noEmit);
      openStream(res);
      const follow: { stop?: () => Promise<void>; closed: boolean } = { closed: false };
      res.on('close', () => {
        follow.closed = true;
        void follow.stop?.();
      });
      follow.stop = await followAppLog(this.deps.home, app, (lines) => {
        if (lines.length > 0) res.write(`event: lines\ndata: ${JSON.stringify(lines)}\n\n`);
      });
      // Closed while the tail was read: the close handler found nothing to stop.
      if (follow.closed) await follow.stop();
      return;
    }
    sendJson(res, 404, { code: 'ORCH_NOT_FOUND', message: `nothing at ${path}` });
  }
}

const openStream = (res: ServerResponse): void => {
  res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive' });
  res.flushHeaders();
};

const sendJson = (res: ServerResponse, status: number, body: unknown | ApiError): void => {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};
