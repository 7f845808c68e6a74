// The pre-flight's I/O half against the real host: a listener in another process, real files.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPortHolders } from '../../../src/process/port-holders.js';
import { gatherHostFacts } from '../../../src/reconcile/facts.js';
import { freePort } from '../../helpers/ports.js';
import { waitFor } from '../../helpers/wait-for.js';
import { actual, desired, spec, view } from '../../unit/reconcile/builders.js';

let dir: string;
let port: number;
let holder: ReturnType<typeof spawn>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'orch-facts-'));
  writeFileSync(join(dir, 'server.js'), '');
  port = await freePort();
  holder = spawn(process.execPath, ['-e', `require('net').createServer().listen(${port}, '127.0.0.1')`], { stdio: 'ignore' });
  await waitFor(() => findPortHolders([port]).get(port)?.pids.includes(holder.pid!), { what: 'the holder listening' });
});
afterAll(() => {
  holder.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('gatherHostFacts', () => {
  it('finds the holder of a wanted port, with its pid, group and command', () => {
    const facts = gatherHostFacts(desired([spec({ name: 'web', port, cwd: dir, command: ['node', 'server.js'] })]), actual([]), undefined);
    const h = facts.listeners.get(port);
    expect(h?.pids).toEqual([holder.pid]);
    expect(h?.command).toBe('node');
    expect(facts.missing.size).toBe(0);
  });

  it("names a missing script and a missing cwd in validation's words", () => {
    const facts = gatherHostFacts(
      desired([
        spec({ name: 'a', cwd: dir, command: ['node', '--enable-source-maps', 'wrker.js'] }),
        spec({ name: 'b', cwd: join(dir, 'gone'), command: ['python3', 'x.py'] }),
        spec({ name: 'c', cwd: dir, command: ['node', 'server'] }),
        spec({ name: 'd', cwd: join(dir, '..'), command: ['node', dir] }),
      ]),
      actual([]),
      undefined,
    );
    expect(Object.fromEntries(facts.missing)).toEqual({
      a: `script not found: wrker.js (resolved from cwd ${dir})`,
      b: `cwd ${join(dir, 'gone')} does not exist`,
    });
  });

  it("reads the process group of every supervised instance's pid of an app with a port", () => {
    const running = view(spec({ name: 'web', port }));
    const withPid = { ...running, instances: [{ ...running.instances[0]!, pid: holder.pid! }] };
    const facts = gatherHostFacts(desired([]), actual([withPid]), undefined);
    expect(facts.groups.get(holder.pid!)).toBeTypeOf('number');
  });

  it('reads no group for an app without a port: it cannot be found holding one', () => {
    const running = view(spec({ name: 'worker' }));
    const withPid = { ...running, instances: [{ ...running.instances[0]!, pid: holder.pid! }] };
    expect(gatherHostFacts(desired([]), actual([withPid]), undefined).groups.size).toBe(0);
  });
});
