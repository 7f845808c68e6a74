// Bad clients on the control socket (SPEC §10): oversized lines, garbage, prototype names as
// methods, malformed params. Each gets an error reply with a stable code and no stack; nothing
// malformed is persisted; the daemon's memory comes back.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_REQUEST_BYTES } from '../../src/daemon/protocol.js';
import { createSandbox, repoRoot, type Sandbox } from '../helpers/sandbox.js';
import { waitFor } from '../helpers/wait-for.js';
import { exchange, rssOf, type ErrorReply } from './raw-socket.js';

const worker = join(repoRoot, 'test/fixtures/e2e/worker.js');

let sb: Sandbox;
let pid: number;
let socket: string;
beforeEach(async () => {
  sb = createSandbox();
  const start = await sb.orch(['daemon', 'start', '--output', 'json']);
  expect(start.code, start.stderr).toBe(0);
  pid = (JSON.parse(start.stdout) as { pid: number }).pid;
  socket = join(sb.home, 'orch.sock');
});
afterEach(async () => {
  await sb.cleanup();
});

const line = (v: unknown) => `${JSON.stringify(v)}\n`;
const ask = async (payload: string): Promise<ErrorReply> => {
  const { replies } = await exchange(socket, payload);
  return replies[0] as ErrorReply;
};
const expectError = (reply: ErrorReply, code: string) => {
  expect(reply.ok, JSON.stringify(reply)).toBe(false);
  expect(reply.error.code, reply.error.message).toBe(code);
  expect(reply.error.message).not.toMatch(/\n\s+at /);
};
const hello = async () => (await ask(line({ v: 1, id: 7, method: 'hello', params: {} }))) as unknown as { id: number; ok: boolean };

describe('the control socket survives bad clients', () => {
  it('null, non-objects and mistyped envelopes get ORCH_BAD_REQUEST, with the id when there is one', async () => {
    const bad: unknown[] = [
      null,
      42,
      'hello',
      [],
      {},
      { v: 1 },
      { v: '1', id: 1, method: 'hello', params: {} },
      { v: 1, id: 'one', method: 'hello', params: {} },
      { v: 1, id: 1.5, method: 'hello', params: {} },
      { v: 1, id: 1, method: 5, params: {} },
      { v: 1, id: 1, params: {} },
      { v: 1, id: 1, method: 'hello', params: null },
      { v: 1, id: 1, method: 'hello', params: [] },
      { v: 1, id: 1, method: 'hello' },
    ];
    for (const req of bad) {
      const reply = await ask(line(req));
      expectError(reply, 'ORCH_BAD_REQUEST');
      const id = (req as { id?: unknown } | null)?.id;
      expect(reply.id, JSON.stringify(req)).toBe(typeof id === 'number' && Number.isInteger(id) ? id : -1);
    }
    expectError(await ask('{"v":1,\n'), 'ORCH_BAD_REQUEST');
    expect((await hello()).ok).toBe(true);
  });

  it('only own methods of the protocol table are dispatched', async () => {
    for (const method of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'nope']) {
      const reply = await ask(line({ v: 1, id: 3, method, params: {} }));
      expectError(reply, 'ORCH_UNKNOWN_METHOD');
      expect(reply.id).toBe(3);
      expect(reply.error.message).toContain(`'${method}'`);
    }
  });

  it('malformed params are refused before the handler runs, and a malformed apply changes nothing', async () => {
    const app = sb.write('ecosystem.yaml', `version: 1\nname: good\napps:\n  w:\n    run: node ${worker}\n`);
    expect((await sb.orch(['apply', app])).code).toBe(0);
    const state = readFileSync(join(sb.home, 'state.json'), 'utf8');
    const history = (await sb.orch(['history', '--output', 'json'])).stdout;
    const cases: [string, unknown][] = [
      ['stop', { app: 5 }],
      ['stop', {}],
      ['start', { app: null }],
      ['reload', { app: 'w', reason: 3 }],
      ['rollback', { number: 'one' }],
      ['rollback', { number: -1 }],
      ['history', { project: [] }],
      ['down', {}],
      ['apply', {}],
      ['apply', { desired: null }],
      ['apply', { desired: { project: 'evil', file: '/x.yaml', hash: 'h', apps: 'all' } }],
      ['apply', { desired: { project: 'evil', file: '/x.yaml', hash: 'h', apps: [{ name: 'a' }] } }],
      ['apply', { desired: { project: 'evil', file: '/x.yaml', hash: 'h', apps: [] }, source: { commit: 1 } }],
    ];
    for (const [method, params] of cases) {
      const reply = await ask(line({ v: 1, id: 9, method, params }));
      expectError(reply, 'ORCH_BAD_REQUEST');
      expect(reply.error.message).toMatch(/^malformed '\w+' request: params/);
    }
    expect(readFileSync(join(sb.home, 'state.json'), 'utf8')).toBe(state);
    expect((await sb.orch(['history', '--output', 'json'])).stdout).toBe(history);
    const status = await sb.orch(['status', '--output', 'json']);
    expect(status.stdout).not.toContain('evil');
  });

  it('a line over the bound gets ORCH_REQUEST_TOO_LARGE and a close, and the memory comes back', async () => {
    // Settle first: the daemon has just started and its heap is still growing by itself.
    await hello();
    const baseline = rssOf(pid);
    const huge = Buffer.alloc(100 * 1024 * 1024, 'a'); // 100 MB, no newline
    const burst = async () => {
      const results = await Promise.all([0, 1, 2, 3].map(() => exchange(socket, huge, { timeoutMs: 20_000, untilClose: true })));
      for (const r of results) {
        expect(r.replies).toHaveLength(1);
        expectError(r.replies[0] as ErrorReply, 'ORCH_REQUEST_TOO_LARGE');
        expect(r.closed).toBe(true);
      }
      expect((await hello()).ok).toBe(true);
    };
    // Each connection holds at most MAX_REQUEST_BYTES while it lasts; what it read is released to
    // the allocator, which may keep about that much resident (before: four 100 MB lines, +800 MB).
    const bound = baseline + 4 * MAX_REQUEST_BYTES + 24 * 1024 * 1024;
    await burst();
    await waitFor(() => rssOf(pid) < bound, { timeout: 15_000, what: `daemon RSS under ${bound} bytes (baseline ${baseline})` });
    const afterOne = rssOf(pid);
    // And nothing accumulates: a second burst ends where the first did.
    await burst();
    await waitFor(() => rssOf(pid) < Math.max(bound, afterOne + 16 * 1024 * 1024), { timeout: 15_000, what: 'daemon RSS no higher after a second burst' });
  });

  it('a large request under the bound is served', async () => {
    // 6 MB of JSON: three times what an apply of 2,000 apps with env weighs (measured: 1.6 MB).
    const reply = await ask(line({ v: 1, id: 11, method: 'hello', params: { pad: 'x'.repeat(6 * 1024 * 1024) } }));
    expect(reply).toMatchObject({ id: 11, ok: true });
  });
});
