// `protocol: udp` (SPEC §14): what it needs, what readiness it allows, and that ports clash per
// protocol only.
import { describe, expect, it } from 'vitest';
import { appOf, errorsOf } from './helpers.js';

const file = (apps: string): string => `version: 1\napps:\n${apps}`;

describe('protocol', () => {
  it('is tcp unless the file says udp', async () => {
    expect((await appOf(file('  a:\n    run: x\n    port: 80\n'), 'a')).app.protocol).toBe('tcp');
    expect((await appOf(file('  a:\n    run: x\n    port: 80\n    protocol: udp\n'), 'a')).app.protocol).toBe('udp');
  });

  it.each([
    ['fork mode with a port', '  a:\n    run: x\n    port: 80\n    protocol: udp\n', 'none'],
    ['socket mode', '  a:\n    run: x\n    mode: socket\n    port: 80\n    protocol: udp\n', 'none'],
    ['cluster mode (a bound dgram socket emits listening)', '  a:\n    run: node x.js\n    mode: cluster\n    port: 80\n    protocol: udp\n', 'listening'],
  ])('default readiness, %s: %s', async (_name, apps, type) => {
    expect((await appOf(file(apps), 'a')).app.ready.type).toBe(type);
  });

  it.each([
    ['udp needs a port', '  a:\n    run: x\n    protocol: udp\n', ["ecosystem.yaml:5:15: apps.a.protocol: protocol udp needs a port: it says what 'port' is"]],
    [
      'tcp readiness cannot probe a datagram socket',
      '  a:\n    run: x\n    port: 80\n    protocol: udp\n    ready: { type: tcp }\n',
      ['ecosystem.yaml:7:20: apps.a.ready.type: ready type "tcp" probes a TCP port and cannot check a UDP socket; use none, notify or message'],
    ],
    [
      'http readiness in cluster mode: the cluster choices',
      '  a:\n    run: node x.js\n    mode: cluster\n    port: 80\n    protocol: udp\n    ready: { type: http }\n',
      ['ecosystem.yaml:8:20: apps.a.ready.type: ready type "http" probes a TCP port and cannot check a UDP socket; use listening, message or none'],
    ],
    ['an unknown protocol', '  a:\n    run: x\n    port: 80\n    protocol: sctp\n', [expect.stringContaining('apps.a.protocol')]],
  ])('%s', async (_name, apps, expected) => {
    expect(await errorsOf(file(apps))).toEqual(expected);
  });
});

describe('port clashes per protocol', () => {
  it.each([
    ['a TCP and a UDP app on one number do not clash', '  a:\n    run: x\n    port: 53\n  b:\n    run: y\n    mode: socket\n    port: 53\n    protocol: udp\n', []],
    [
      'two UDP apps on one number clash',
      '  a:\n    run: x\n    port: 53\n    protocol: udp\n  b:\n    run: y\n    mode: socket\n    port: 53\n    protocol: udp\n',
      ["ecosystem.yaml:10:11: apps.b.port: port 53/udp is already used by app 'a' (port 53/udp)"],
    ],
    [
      'a UDP fork range covering a UDP app',
      '  a:\n    run: x\n    port: 5000\n    instances: 3\n    protocol: udp\n  b:\n    run: y\n    port: 5002\n    protocol: udp\n  c:\n    run: z\n    port: 5001\n',
      ["ecosystem.yaml:10:11: apps.b.port: port 5002/udp is already used by app 'a' (ports 5000-5002/udp: 3 instances in fork mode)"],
    ],
    [
      'TCP clashes read as before',
      '  a:\n    run: x\n    port: 80\n  b:\n    run: y\n    port: 80\n',
      ["ecosystem.yaml:8:11: apps.b.port: port 80 is already used by app 'a' (port 80)"],
    ],
  ])('%s', async (_name, apps, expected) => {
    expect(await errorsOf(file(apps))).toEqual(expected);
  });
});
