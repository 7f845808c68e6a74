// The daemon's lock and its editors: a starter waits for an `orch down` editing the state with no
// daemon running, instead of concluding that a daemon runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, EDITOR_WAIT_MS, releaseLock } from '../../../src/daemon/lock.js';
import { processStartTicks } from '../../../src/process/proc-stat.js';
import { waitFor } from '../../helpers/wait-for.js';

let dir: string;
let path: string;
let child: ChildProcess | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'orch-lock-'));
  path = join(dir, 'daemon.pid');
});
afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** A live process standing for another holder; `releaseAfterMs` makes it remove the lock file itself, as a finishing editor does. */
const otherHolder = async (releaseAfterMs?: number): Promise<number> => {
  const script =
    releaseAfterMs === undefined
      ? 'setInterval(() => {}, 1000)'
      : `process.stdin.once('data', () => setTimeout(() => { require('fs').unlinkSync(${JSON.stringify(path)}); process.exit(0); }, ${releaseAfterMs}))`;
  const proc = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'ignore', 'ignore'] });
  child = proc;
  return waitFor(() => (processStartTicks(proc.pid!) === undefined ? undefined : proc.pid!), { what: 'holder running' });
};

describe('acquireLock', () => {
  it('takes a free lock and releases it', () => {
    expect(acquireLock(path)).toEqual({ acquired: true });
    expect(readFileSync(path, 'utf8')).toBe(`${process.pid} ${processStartTicks(process.pid)}`);
    releaseLock(path);
    expect(existsSync(path)).toBe(false);
  });

  it('an editor marks its lock as an edit', () => {
    expect(acquireLock(path, process.pid, 'edit')).toEqual({ acquired: true });
    expect(readFileSync(path, 'utf8')).toBe(`${process.pid} ${processStartTicks(process.pid)} edit`);
  });

  it('a live daemon holder is reported at once, to a starter and to an editor', async () => {
    const pid = await otherHolder();
    writeFileSync(path, `${pid} ${processStartTicks(pid)}`);
    const started = Date.now();
    expect(acquireLock(path)).toEqual({ acquired: false, holder: pid });
    expect(acquireLock(path, process.pid, 'edit')).toEqual({ acquired: false, holder: pid });
    expect(Date.now() - started).toBeLessThan(EDITOR_WAIT_MS);
  });

  it('a stale lock (its process is gone) is taken over', () => {
    writeFileSync(path, `999999999 12345`);
    expect(acquireLock(path)).toEqual({ acquired: true });
  });

  it('a starter waits for a live editor to finish, then takes the lock', async () => {
    const pid = await otherHolder(200);
    writeFileSync(path, `${pid} ${processStartTicks(pid)} edit`);
    child!.stdin!.write('go\n');
    expect(acquireLock(path)).toEqual({ acquired: true });
    expect(readFileSync(path, 'utf8')).toBe(`${process.pid} ${processStartTicks(process.pid)}`);
  });

  it('an editor that never finishes is reported as the holder after the wait', async () => {
    const pid = await otherHolder();
    writeFileSync(path, `${pid} ${processStartTicks(pid)} edit`);
    const started = Date.now();
    expect(acquireLock(path)).toEqual({ acquired: false, holder: pid });
    expect(Date.now() - started).toBeGreaterThanOrEqual(EDITOR_WAIT_MS);
  });
});
