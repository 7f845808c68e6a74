// Nothing escapes `stop` (SPEC §10): where cgroup v2 is writable, a grandchild that called setsid()
// (a new session and process group, out of reach of the group's signals) still goes with its
// instance. Elsewhere the test is skipped and says why (the README says what can escape there).
import { chmodSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prepareCgroups } from '../../src/process/cgroup.js';
import { waitFor } from '../helpers/wait-for.js';
import { createHarness, type Harness, nodeApp, processAlive } from '../integration/supervisor/harness.js';

const support = prepareCgroups(`/nonexistent/orch-containment-probe-${process.pid}`);
if (support.ok) rmdirSync(support.base);
const skipReason = support.ok ? undefined : support.reason;
if (skipReason !== undefined) console.warn(`containment tests skipped: ${skipReason}`);

describe.skipIf(!support.ok)(`containment by cgroup${skipReason === undefined ? '' : ` (skipped: ${skipReason})`}`, () => {
  let h: Harness;
  beforeEach(() => {
    h = createHarness();
  });
  afterEach(async () => {
    await h.teardown();
  });

  /** An app whose child starts a setsid() grandchild, then waits; resolves with the grandchild's pid. */
  const startEscaper = async (name: string, extra: Partial<Parameters<typeof nodeApp>[3]> = {}) => {
    const mark = join(h.home, `${name}.pid`);
    const script = join(h.home, `${name}.sh`);
    const { writeFileSync } = await import('node:fs');
    // The grandchild: a new session (setsid), its pid written once it runs.
    writeFileSync(script, `#!/bin/sh\nsetsid /bin/sh -c 'echo $$ > "$1"; exec sleep 1000' escaper ${mark} &\nexec sleep 1000\n`);
    chmodSync(script, 0o755);
    const spec = nodeApp(name, 'unused', [], { command: [script], ready: { type: 'none', delayMs: 50 }, ...extra });
    expect(await h.supervisor.create(spec)).toEqual({ ok: true });
    const grandchild = await waitFor(() => Number(readFileSync(mark, 'utf8').trim()) || undefined, { what: 'the grandchild pid' });
    h.extraPids.add(grandchild);
    const leader = h.pids(name)[0]!;
    // It did escape the process group: the group's signals cannot reach it.
    const pgrp = Number(readFileSync(`/proc/${grandchild}/stat`, 'utf8').split(') ')[1]!.split(' ')[2]);
    expect(pgrp).not.toBe(leader);
    return grandchild;
  };

  it('stop kills a grandchild that called setsid()', async () => {
    const grandchild = await startEscaper('escaper');
    expect(await h.supervisor.stop('escaper')).toEqual({ ok: true });
    expect(processAlive(grandchild), `grandchild ${grandchild} alive after stop`).toBe(false);
  });

  it('a crash of the instance takes its setsid() grandchild with it before the respawn', async () => {
    const grandchild = await startEscaper('crasher', { restart: { policy: 'never' } });
    process.kill(h.pids('crasher')[0]!, 'SIGKILL');
    await waitFor(() => !processAlive(grandchild), { timeout: 5000, what: `grandchild ${grandchild} to be killed` });
  });
});
