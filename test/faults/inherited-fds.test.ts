// The daemon closes every descriptor it inherited beyond stdio (SPEC §10): a CLI started with a
// pipe left open on fd 7 or fd 100 must not hand it on to a daemon that then holds it for ever
// (whoever reads that pipe would never see its end).
import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, orchBin, type Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
beforeEach(() => {
  sb = createSandbox();
});
afterEach(async () => {
  await sb.cleanup();
});

/** What each descriptor of a process points at. */
const fdTargets = (pid: number): Map<number, string> => {
  const out = new Map<number, string>();
  for (const entry of readdirSync(`/proc/${pid}/fd`)) {
    try {
      out.set(Number(entry), readlinkSync(`/proc/${pid}/fd/${entry}`));
    } catch {
      // closed meanwhile
    }
  }
  return out;
};

describe('descriptors inherited by the daemon', () => {
  it.skipIf(process.platform !== 'linux')('a pipe its starter left open on fd 7 and fd 100 is closed in the daemon', async () => {
    // A named pipe, so the test can tell its descriptors apart by path in /proc.
    const fifo = join(sb.dir, 'leak.fifo');
    execFileSync('mkfifo', [fifo]);
    const fd = openSync(fifo, 'r+');
    try {
      const stdio: (number | 'ignore' | 'inherit')[] = Array.from({ length: 101 }, () => 'ignore');
      stdio[7] = fd;
      stdio[100] = fd;
      const code = await new Promise<number | null>((resolve) => {
        const cli = spawn(process.execPath, [orchBin, 'daemon', 'start'], { cwd: sb.dir, env: sb.env, stdio });
        cli.once('exit', resolve);
      });
      expect(code).toBe(0);
      const daemon = Number(readFileSync(join(sb.home, 'daemon.pid'), 'utf8').split(/\s/)[0]);
      const held = [...fdTargets(daemon)].filter(([, target]) => target === fifo).map(([n]) => n);
      expect(held, `daemon ${daemon} holds the starter's pipe on these fds`).toEqual([]);
    } finally {
      closeSync(fd);
    }
  });
});
