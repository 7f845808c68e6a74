import { describe, expect, it } from 'vitest';
import { checkMetricsAddr, isLoopback, metricsUrl, parseMetricsAddr } from '../../../src/daemon/metrics-addr.js';

describe('metrics address', () => {
  it.each([
    ['127.0.0.1:9464', { host: '127.0.0.1', port: 9464 }],
    [':9464', { host: '127.0.0.1', port: 9464 }],
    ['localhost:1', { host: 'localhost', port: 1 }],
    ['[::1]:9464', { host: '::1', port: 9464 }],
    ['0.0.0.0:80', { host: '0.0.0.0', port: 80 }],
  ])('parses %s', (value, expected) => {
    expect(parseMetricsAddr(value)).toEqual(expected);
  });

  it.each(['9464', '127.0.0.1', '127.0.0.1:0', '127.0.0.1:65536', '::1:9464', '[nope]:1', 'host:port'])('refuses %s with a problem in words', (value) => {
    expect(parseMetricsAddr(value)).toHaveProperty('problem');
  });

  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.5', false],
    ['example.com', false],
  ])('isLoopback(%s) is %s', (host, expected) => {
    expect(isLoopback(host)).toBe(expected);
  });

  it('a non-loopback address only when asked, saying how', () => {
    const refused = checkMetricsAddr('0.0.0.0:9464', false);
    expect(refused.ok).toBe(false);
    expect(refused.ok ? '' : refused.problem).toMatch(/not a loopback address.*--metrics-public/);
    expect(checkMetricsAddr('0.0.0.0:9464', true)).toEqual({ ok: true, addr: { host: '0.0.0.0', port: 9464 } });
    expect(checkMetricsAddr('127.0.0.1:9464', false).ok).toBe(true);
  });

  it('the URL brackets an IPv6 host', () => {
    expect(metricsUrl({ host: '::1', port: 9464 })).toBe('http://[::1]:9464/metrics');
    expect(metricsUrl({ host: '127.0.0.1', port: 9464 })).toBe('http://127.0.0.1:9464/metrics');
  });
});
