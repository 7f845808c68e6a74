// The pre-flight's I/O half for UDP apps (SPEC §14): holders read from /proc/net/udp{,6}, only
// for the ports of udp apps, apart from the TCP listeners.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatherHostFacts } from '../../../src/reconcile/facts.js';
import { actual, desired, spec } from '../../unit/reconcile/builders.js';
import { freeUdpPort } from './udp-port.js';

let dir: string;
let port: number;
let holder: ReturnType<typeof spawn>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'orch-udp-facts-'));
  port = await freeUdpPort();
  const script = `const s = require('dgram').createSocket('udp4'); s.bind(${port}, '127.0.0.1', () => console.log('up'))`;
  holder = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await once(holder.stdout!, 'data');
});
afterAll(() => {
  holder.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('gatherHostFacts, udp', () => {
  it("finds the holder of a udp app's port among the UDP sockets, not among the TCP listeners", () => {
    const dns = spec({ name: 'dns', mode: 'socket', port, protocol: 'udp', cwd: dir, command: ['python3', 'x.py'] });
    const facts = gatherHostFacts(desired([dns]), actual([]), undefined);
    expect(facts.udpListeners?.get(port)).toMatchObject({ pids: [holder.pid], command: 'node', protocol: 'udp' });
    expect(facts.listeners.has(port)).toBe(false);
  });

  it('a tcp app on the number sees no holder', () => {
    const web = spec({ name: 'web', port, cwd: dir, command: ['python3', 'x.py'] });
    const facts = gatherHostFacts(desired([web]), actual([]), undefined);
    expect(facts.listeners.has(port)).toBe(false);
    expect(facts.udpListeners).toBeUndefined();
  });
});
