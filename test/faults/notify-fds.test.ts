// Notify messages are read, not trusted (SPEC §10). The real `systemd-notify --ready` (v252 sends
// READY=1, then BARRIER=1 with a pipe's write end, and waits for that pipe to close) returns 0
// promptly, and the daemon holds none of the descriptors sent; an oversize or garbage datagram
// never makes an instance ready.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { waitFor } from '../helpers/wait-for.js';
import { createHarness, fixtures, type Harness, nodeApp } from '../integration/supervisor/harness.js';

const which = (command: string): string | undefined => {
  try {
    return execFileSync('/bin/sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
};
const systemdNotify = which('systemd-notify');
const python = which('python3');

interface UnixDgramSocket {
  send(buf: Buffer, offset: number, length: number, path: string, cb?: (err?: Error) => void): void;
  close(): void;
}
const unixDgram = ((): { createSocket(type: 'unix_dgram'): UnixDgramSocket } | undefined => {
  try {
    return createRequire(import.meta.url)('unix-dgram') as { createSocket(type: 'unix_dgram'): UnixDgramSocket };
  } catch {
    return undefined;
  }
})();

const fdCount = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;

describe.skipIf(systemdNotify === undefined)(`systemd-notify --ready${systemdNotify === undefined ? ' (skipped: systemd-notify is not installed; apt-get install systemd)' : ''}`, () => {
  let sb: Sandbox;
  beforeEach(() => {
    sb = createSandbox();
  });
  afterEach(async () => {
    await sb.cleanup();
  });

  it('returns 0 within 1 s, 21 times in a row, and the daemon holds no descriptor more', async () => {
    const mark = join(sb.dir, 'mark');
    const go = join(sb.dir, 'go');
    // Each call: its exit code and how long it took, in ms. The 20 more wait for the test's go.
    const script = sb.write(
      'notify.sh',
      `#!/bin/sh
call() { s=$(date +%s%N); systemd-notify --ready "$@"; rc=$?; e=$(date +%s%N); echo "$rc $(( (e - s) / 1000000 ))" >> ${mark}; }
call
while [ ! -e ${go} ]; do sleep 0.05; done
i=0; while [ $i -lt 20 ]; do call --status="message $i"; i=$((i + 1)); done
exec sleep 1000
`,
    );
    execFileSync('chmod', ['+x', script]);
    const file = sb.write('ecosystem.yaml', `version: 1\nname: p\napps:\n  sd:\n    run: ${script}\n    ready:\n      type: notify\n      timeout: 10s\n`);
    const applied = await sb.orch(['apply', file]);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    const daemon = Number(readFileSync(join(sb.home, 'daemon.pid'), 'utf8').split(/\s/)[0]);
    const before = fdCount(daemon);
    writeFileSync(go, '');
    const lines = await waitFor(
      () => {
        const text = readFileSync(mark, 'utf8').trim().split('\n');
        return text.length >= 21 ? text : undefined;
      },
      { timeout: 30_000, what: '21 systemd-notify calls' },
    );
    for (const line of lines) {
      const [code, ms] = line.split(' ').map(Number);
      expect(code, `systemd-notify exit code (${line})`).toBe(0);
      expect(ms, `systemd-notify took ${ms} ms`).toBeLessThan(1000);
    }
    expect(fdCount(daemon), 'daemon fds after 20 notify messages').toBeLessThanOrEqual(before);
  }, 60_000);
});

describe.skipIf(unixDgram === undefined || python === undefined)('datagrams that are not notify messages', () => {
  let h: Harness;
  beforeEach(() => {
    h = createHarness();
  });
  afterEach(async () => {
    await h.teardown();
  });

  /** Starts an instance that never notifies; sends `datagrams` to its NOTIFY_SOCKET; resolves with the start's outcome. */
  const startAndSend = async (datagrams: readonly Buffer[]) => {
    const marker = join(h.home, 'notify-marker');
    const spec = nodeApp('sd', 'unused', [], { command: ['python3', join(fixtures, 'notify.py'), 'never', marker], ready: { type: 'notify', timeoutMs: 1500 } });
    const created = h.supervisor.create(spec);
    const path = await waitFor(() => readFileSync(marker, 'utf8').trim().split('\n')[0], { what: 'the NOTIFY_SOCKET path' });
    const socket = unixDgram!.createSocket('unix_dgram');
    try {
      for (const d of datagrams) await new Promise<void>((resolve, reject) => socket.send(d, 0, d.length, path, (err) => (err ? reject(err) : resolve())));
    } finally {
      socket.close();
    }
    return created;
  };

  it('an oversize datagram that begins with READY=1 is ignored', async () => {
    const oversize = Buffer.concat([Buffer.from('READY=1\n'), Buffer.alloc(100 * 1024, 'x')]);
    expect(await startAndSend([oversize])).toEqual({ ok: false, reason: 'instance 0: not ready within 1500ms (notify)' });
  });

  it('garbage (invalid UTF-8, NUL bytes) around READY=1 is ignored', async () => {
    const invalid = Buffer.concat([Buffer.from([0xff, 0xfe, 0x0a]), Buffer.from('READY=1\n')]);
    const nul = Buffer.from('READY=1\n\0STATUS=x\n');
    expect(await startAndSend([invalid, nul])).toEqual({ ok: false, reason: 'instance 0: not ready within 1500ms (notify)' });
  });
});
