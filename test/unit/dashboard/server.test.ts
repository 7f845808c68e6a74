// The dashboard's HTTP server on a real loopback port, over fake handlers: tokens, refusals, and
// no timer left once the last page has gone.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DashboardServer, type DashboardApi } from '../../../src/daemon/dashboard/server.js';
import { OrchError } from '../../../src/errors.js';
import { repoRoot } from '../../helpers/sandbox.js';
import { waitFor } from '../../helpers/wait-for.js';

const ok = (app: string, type: string) => ({ app, type, ok: true }) as never;
let home: string;
let server: DashboardServer;
let api: { [K in keyof DashboardApi]: ReturnType<typeof vi.fn> };

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'orch-dash-'));
  api = {
    status: vi.fn(async () => ({ apps: [], stats: {}, generations: {}, warnings: [] })),
    describe: vi.fn(async ({ app }: { app: string }) => {
      throw new OrchError('ORCH_UNKNOWN_APP', `no app named '${app}'`);
    }),
    history: vi.fn(async () => []),
    restart: vi.fn(async ({ app }: { app: string }) => ok(app, 'restart')),
    reload: vi.fn(async ({ app }: { app: string }) => ok(app, 'reload')),
    stop: vi.fn(async ({ app }: { app: string }) => ok(app, 'stop')),
    start: vi.fn(async ({ app }: { app: string }) => ok(app, 'start')),
  };
  server = new DashboardServer({
    api: api as unknown as DashboardApi,
    subscribeEvents: () => () => undefined,
    home,
    logger: pino({ level: 'silent' }),
    // Built by `npm run build`, which the test command runs first.
    assetsDir: join(repoRoot, 'dist/dashboard'),
  });
});
afterEach(async () => {
  await server.close();
  rmSync(home, { recursive: true, force: true });
});

const tokenOf = (url: string) => url.slice(url.indexOf('#token=') + 7);
const call = (url: string, path: string, init: RequestInit & { token?: string } = {}) =>
  fetch(new URL(path, url), { ...init, headers: { ...(init.token === undefined ? {} : { authorization: `Bearer ${init.token}` }), ...(init.headers as Record<string, string>) } });

describe('DashboardServer', () => {
  it('serves 127.0.0.1 on a random port; each open mints a token, all of them valid, on the same port', async () => {
    const a = await server.open({});
    const b = await server.open({});
    expect(a.host).toBe('127.0.0.1');
    expect(b.port).toBe(a.port);
    expect(tokenOf(a.url)).not.toBe(tokenOf(b.url));
    for (const info of [a, b]) expect((await call(info.url, '/api/state', { token: tokenOf(info.url) })).status).toBe(200);
    expect((await call(a.url, '/api/state')).status).toBe(401);
  });

  it('refuses every interface at once, and names that are not addresses', async () => {
    await expect(server.open({ host: '0.0.0.0' })).rejects.toThrow(/not every interface/);
    await expect(server.open({ host: 'example.com' })).rejects.toThrow(/IP address/);
  });

  it('acts only on a POST with the token and the own Origin', async () => {
    const { url } = await server.open({});
    const token = tokenOf(url);
    expect((await call(url, '/api/apps/web/restart', { method: 'POST' })).status).toBe(401);
    expect((await call(url, '/api/apps/web/restart', { method: 'POST', token, headers: { origin: 'http://evil.example' } })).status).toBe(403);
    expect((await call(url, '/api/apps/web/restart', { token })).status).toBe(404);
    expect((await call(url, '/api/state', { method: 'POST', token })).status).toBe(405);
    expect(api.restart).not.toHaveBeenCalled();
    const r = await call(url, '/api/apps/web/restart', { method: 'POST', token, headers: { origin: new URL(url).origin } });
    expect(r.status).toBe(200);
    expect(api.restart).toHaveBeenCalledTimes(1);
  });

  it('answers 404 for an unknown app, and reads no log file for it', async () => {
    const { url } = await server.open({});
    const r = await call(url, `/api/apps/${encodeURIComponent('../../etc/passwd')}/logs`, { token: tokenOf(url) });
    expect(r.status).toBe(404);
  });

  it('runs the live feed only while a page streams', async () => {
    const { url } = await server.open({});
    expect(server.feedActive).toBe(false);
    const abort = new AbortController();
    const res = await call(url, '/api/stream', { token: tokenOf(url), signal: abort.signal });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toMatch(/^event: tick\n/);
    expect(server.feedActive).toBe(true);
    abort.abort();
    await waitFor(() => !server.feedActive, { what: 'the feed to stop' });
  });

  it('serves the page with a policy that loads nothing from elsewhere', async () => {
    const { url } = await server.open({});
    const r = await call(url, '/');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(await r.text()).not.toMatch(/https?:\/\//);
  });
});
