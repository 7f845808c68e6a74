import { describe, expect, it } from 'vitest';
import { allowedHosts, checkRequest, type RequestFacts } from '../../../src/daemon/dashboard/guard.js';

const served = { host: '127.0.0.1', port: 4000 };
const req = (over: Partial<RequestFacts>): RequestFacts => ({ method: 'GET', path: '/api/state', host: '127.0.0.1:4000', origin: undefined, tokenOk: true, ...over });

describe('checkRequest', () => {
  it.each<[string, Partial<RequestFacts>, number | 'ok']>([
    ['a read with the token', {}, 'ok'],
    ['a read without the token', { tokenOk: false }, 401],
    ['an action with the token', { method: 'POST', path: '/api/apps/web/restart' }, 'ok'],
    ['an action without the token', { method: 'POST', path: '/api/apps/web/restart', tokenOk: false }, 401],
    ['the page without a token (it has no data; the token is in the fragment)', { path: '/', tokenOk: false }, 'ok'],
    ['the bundle without a token', { path: '/app.js', tokenOk: false }, 'ok'],
    ['a POST to the page', { method: 'POST', path: '/', tokenOk: false }, 405],
    ['a PUT to the API', { method: 'PUT' }, 405],
    ['localhost as Host', { host: 'localhost:4000' }, 'ok'],
    ['a rebinding name as Host, token or not', { host: 'evil.example:4000' }, 403],
    ['a rebinding name as Host for the page', { host: 'evil.example:4000', path: '/' }, 403],
    ['another port in Host', { host: '127.0.0.1:4001' }, 403],
    ['no Host', { host: undefined }, 403],
    ['the own Origin', { method: 'POST', path: '/api/apps/web/stop', origin: 'http://127.0.0.1:4000' }, 'ok'],
    ['a foreign Origin with the token', { method: 'POST', path: '/api/apps/web/stop', origin: 'http://evil.example' }, 403],
    ['an https Origin of the same address', { origin: 'https://127.0.0.1:4000' }, 403],
  ])('%s', (_what, over, expected) => {
    const v = checkRequest(req(over), served);
    expect(v.ok ? 'ok' : v.status).toBe(expected);
  });

  it('a dashboard served on another address answers only to that address', () => {
    expect(allowedHosts({ host: '192.168.1.10', port: 80 })).toEqual(['192.168.1.10:80']);
    expect(checkRequest(req({ host: 'localhost:80' }), { host: '192.168.1.10', port: 80 }).ok).toBe(false);
    expect(allowedHosts({ host: '::1', port: 5 })).toContain('[::1]:5');
  });
});
