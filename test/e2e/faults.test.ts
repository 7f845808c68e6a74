// The daemon's edges: not running, stale socket, unusable ORCH_HOME, protocol mismatch, no side effects from diff.
import { existsSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAlive } from '../../src/process/proc-stat.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { repoRoot } from '../helpers/sandbox.js';

const worker = join(repoRoot, 'test/fixtures/e2e/worker.js');

let sb: Sandbox;
beforeEach(() => {
  sb = createSandbox();
});
afterEach(async () => {
  await sb.cleanup();
});

describe('daemon lifecycle and faults', () => {
  it('daemon status says when none runs; start and stop manage it', async () => {
    const none = await sb.orch(['daemon', 'status']);
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/No daemon is running/);
    const start = await sb.orch(['daemon', 'start', '--output', 'json']);
    expect(start.code, start.stderr).toBe(0);
    const info = JSON.parse(start.stdout) as { running: boolean; pid: number };
    expect(info.running).toBe(true);
    expect((await sb.orch(['daemon', 'status'])).stdout).toMatch(new RegExp(`pid ${info.pid}`));
    const stop = await sb.orch(['daemon', 'stop']);
    expect(stop.code).toBe(0);
    expect(isAlive(info.pid)).toBe(false);
    expect(existsSync(join(sb.home, 'orch.sock'))).toBe(false);
  });

  it('a stale socket and pid file left by a dead daemon do not stop a new one', async () => {
    const start = JSON.parse((await sb.orch(['daemon', 'start', '--output', 'json'])).stdout) as { pid: number };
    process.kill(start.pid, 'SIGKILL');
    expect(existsSync(join(sb.home, 'orch.sock'))).toBe(true);
    const r = await sb.orch(['status']);
    expect(r.code, r.stderr).toBe(0);
    const again = JSON.parse((await sb.orch(['daemon', 'status', '--output', 'json'])).stdout) as { pid: number };
    expect(again.pid).not.toBe(start.pid);
  });

  it('the control socket and ORCH_HOME admit only their owner', async () => {
    await sb.orch(['daemon', 'start']);
    const { statSync } = await import('node:fs');
    expect(statSync(join(sb.home, 'orch.sock')).mode & 0o777).toBe(0o600);
    expect(statSync(sb.home).mode & 0o777).toBe(0o700);
  });

  it('an ORCH_HOME that cannot be created is a clear error, exit 2', async () => {
    const blocker = join(sb.dir, 'file');
    writeFileSync(blocker, '');
    const r = await sb.orch(['status'], { env: { ORCH_HOME: join(blocker, 'home') } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot use ORCH_HOME .*file\/home: a path component is not a directory/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a request in another protocol version gets a clear version message', async () => {
    await sb.orch(['daemon', 'start']);
    const reply = await new Promise<string>((resolve, reject) => {
      const s = connect(join(sb.home, 'orch.sock'));
      s.on('error', reject);
      s.on('connect', () => s.write(`${JSON.stringify({ v: 99, id: 1, method: 'hello', params: {} })}\n`));
      s.on('data', (d) => {
        resolve(d.toString());
        s.end();
      });
    });
    const msg = JSON.parse(reply) as { ok: boolean; error: { code: string; message: string } };
    expect(msg.ok).toBe(false);
    expect(msg.error.code).toBe('ORCH_PROTOCOL_MISMATCH');
    expect(msg.error.message).toMatch(/protocol 99 .* daemon speaks 1/);
  });

  it('diff starts no daemon: with none running it plans to create everything', async () => {
    sb.write('ecosystem.yaml', `version: 1\nname: p\napps:\n  w:\n    run: node ${worker}\n`);
    const r = await sb.orch(['diff', '--output', 'json']);
    expect(r.code).toBe(1);
    const plan = JSON.parse(r.stdout) as { daemon: boolean; actions: { type: string; app: string }[] };
    expect(plan.daemon).toBe(false);
    expect(plan.actions).toEqual([expect.objectContaining({ type: 'create', app: 'w' })]);
    expect(existsSync(join(sb.home, 'orch.sock'))).toBe(false);
  });

  it('an invalid file changes nothing: apply exits 2 and starts no daemon', async () => {
    sb.write('ecosystem.yaml', `version: 1\napps:\n  w:\n    run: node x.js\n    instances: -1\n`);
    const r = await sb.orch(['apply']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ecosystem\.yaml:5:16: apps\.w\.instances: /);
    expect(r.stderr).toMatch(/nothing was changed/);
    expect(existsSync(join(sb.home, 'orch.sock'))).toBe(false);
  });
});
