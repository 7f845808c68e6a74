// Every CLI request has a deadline (SPEC §10): a daemon that does not answer (SIGSTOPped here) is
// named, with its pid, and the command exits 2 instead of hanging. Progress keeps a long request alive.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DaemonClient } from '../../src/daemon/client.js';
import { acquireLock } from '../../src/daemon/lock.js';
import { homePaths } from '../../src/daemon/paths.js';
import { createSandbox, repoRoot, type Sandbox } from '../helpers/sandbox.js';

const worker = join(repoRoot, 'test/fixtures/e2e/worker.js');

describe('a daemon that does not answer (SIGSTOP)', () => {
  let sb: Sandbox;
  let pid: number | undefined;
  beforeEach(() => {
    sb = createSandbox();
  });
  afterEach(async () => {
    if (pid !== undefined) process.kill(pid, 'SIGCONT');
    pid = undefined;
    await sb.cleanup();
  });

  it('every command gives up after its deadline, naming the daemon, exit 2', async () => {
    const file = sb.write('ecosystem.yaml', `version: 1\nname: p\napps:\n  w:\n    run: node ${worker}\n`);
    expect((await sb.orch(['apply', file])).code).toBe(0);
    pid = (JSON.parse((await sb.orch(['daemon', 'status', '--output', 'json'])).stdout) as { pid: number }).pid;
    process.kill(pid, 'SIGSTOP');
    const env = { ORCH_TIMEOUT: '1' };
    const said = new RegExp(`the orch daemon \\(pid ${pid}, ORCH_HOME ${sb.home}\\) did not answer within 1s`);
    // `apply` and `restart` are long requests: the daemon's liveness is checked on the short deadline.
    for (const args of [['status'], ['daemon', 'status'], ['history'], ['apply', file], ['restart', 'w'], ['daemon', 'stop']]) {
      const t0 = Date.now();
      const r = await sb.orch(args, { env, timeout: 15_000 });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(said);
      expect(Date.now() - t0, args.join(' ')).toBeLessThan(6000);
    }
  });
});

describe('the client deadline, against a scripted daemon', () => {
  let dir: string;
  let server: Server | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'orch-deadline-'));
  });
  afterEach(() => {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A daemon stand-in: answers hello unless `silent`, and runs `onApply` for apply. */
  const fakeDaemon = async (script: { silent?: boolean; onApply?: (send: (msg: object) => void) => void }) => {
    const paths = homePaths({ ORCH_HOME: dir });
    expect(acquireLock(paths.lock)).toEqual({ acquired: true }); // the pid the client names: ours
    server = createServer((s) => {
      let buf = '';
      s.on('data', (d) => {
        buf += d.toString();
        let nl: number;
        while ((nl = buf.indexOf('\n')) !== -1) {
          const req = JSON.parse(buf.slice(0, nl)) as { id: number; method: string };
          buf = buf.slice(nl + 1);
          if (script.silent) continue;
          const send = (msg: object) => s.write(`${JSON.stringify({ id: req.id, ...msg })}\n`);
          if (req.method === 'hello') send({ ok: true, result: { protocol: 1, pid: process.pid } });
          else if (req.method === 'apply') script.onApply?.(send);
        }
      });
      s.on('error', () => {});
    });
    await new Promise<void>((r) => server!.listen(paths.socket, r));
    return paths;
  };
  const timeouts = { shortMs: 300, longMs: 600 };
  const desired = { project: 'p', file: '/p.yaml', hash: 'h', apps: [] };

  it('progress events extend a long request past its deadline', async () => {
    const paths = await fakeDaemon({
      onApply: (send) => {
        let n = 0;
        const tick = setInterval(() => {
          if (++n < 8) send({ event: { type: 'action-start', app: 'a', action: 'create' } });
          else {
            clearInterval(tick);
            send({ ok: true, result: { done: true } });
          }
        }, 200);
      },
    });
    const client = (await DaemonClient.tryConnect(paths, timeouts))!;
    try {
      const t0 = Date.now();
      await expect(client.request('apply', { desired })).resolves.toEqual({ done: true });
      expect(Date.now() - t0).toBeGreaterThan(1400); // well past longMs: the events kept it alive
    } finally {
      client.close();
    }
  });

  it('a long request with no progress ends at its deadline', async () => {
    const paths = await fakeDaemon({ onApply: () => {} });
    const client = (await DaemonClient.tryConnect(paths, timeouts))!;
    await expect(client.request('apply', { desired })).rejects.toMatchObject({
      code: 'ORCH_DAEMON_UNAVAILABLE',
      message: expect.stringMatching(new RegExp(`the orch daemon \\(pid ${process.pid}, ORCH_HOME ${dir}\\) did not answer within 0.6s`)),
    });
  });

  it('a long request to a daemon that stopped answering ends on the short deadline', async () => {
    const paths = await fakeDaemon({ silent: true });
    const client = (await DaemonClient.tryConnect(paths, { shortMs: 300, longMs: 60_000 }))!;
    const t0 = Date.now();
    await expect(client.request('apply', { desired })).rejects.toMatchObject({ code: 'ORCH_DAEMON_UNAVAILABLE', message: expect.stringContaining('did not answer within 0.3s') });
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});
