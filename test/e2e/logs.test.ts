// Log capture under a flood, rotation and `orch logs`, driving the built binary.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, orchBin, repoRoot, type Sandbox } from '../helpers/sandbox.js';
import { waitFor } from '../helpers/wait-for.js';

const spam = join(repoRoot, 'test/fixtures/apps/spam.js');

let sb: Sandbox;
beforeEach(() => {
  sb = createSandbox();
});
afterEach(async () => {
  await sb.cleanup();
});

const spamFile = (apps: Record<string, number>, env = '{}') => `
version: 1
name: flood
apps:
${Object.entries(apps)
  .map(
    ([name, lines]) => `  ${name}:
    run: [node, ${spam}, '${lines}']
    restart: { policy: never }
    ready: { type: none, delay: 0ms }
    env: ${env}
`,
  )
  .join('')}`;

const logDir = (): string => join(sb.home, 'logs');
/** The app's files, oldest first. */
const logFiles = (app: string): string[] =>
  readdirSync(logDir())
    .filter((f) => f === `${app}.log` || f.startsWith(`${app}.log.`))
    .map((f) => ({ f, generation: Number(f.slice(`${app}.log.`.length) || 0) }))
    .sort((a, b) => b.generation - a.generation)
    .map(({ f }) => join(logDir(), f));
const outNumbers = (lines: readonly string[], app: string): number[] => {
  const tag = ` ${app}#0 out line `;
  return lines.filter((l) => l.includes(tag)).map((l) => Number(l.slice(l.indexOf(tag) + tag.length)));
};
const numbersOf = (app: string): number[] => outNumbers(logFiles(app).flatMap((f) => readFileSync(f, 'utf8').split('\n')), app);
const lastLineIs = (app: string, n: number): boolean => {
  try {
    return readFileSync(join(logDir(), `${app}.log`), 'utf8').endsWith(` ${app}#0 out line ${n}\n`);
  } catch {
    return false; // not created yet, or between a rotation's rename and reopen
  }
};
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, k) => from + k);
/** Reports the first gap, duplicate or reordering instead of diffing 200k numbers. */
const firstAnomaly = (seen: readonly number[], total: number): string | undefined => {
  for (let k = 0; k < seen.length; k++) {
    if (seen[k] !== k + 1) return `at position ${k}: expected line ${k + 1}, got line ${seen[k]} (then ${seen.slice(k + 1, k + 4).join(', ')}; ${seen.length} lines)`;
  }
  return seen.length === total ? undefined : `${seen.length} lines instead of ${total}`;
};

describe('log capture under a flood', () => {
  const total = 200_000;
  const env = { ORCH_LOG_MAX_SIZE: '1M', ORCH_LOG_KEEP: '40' };

  it('keeps every line of two 200k-line floods, across rotations, in order, once, and status answers within 1 s meanwhile', async () => {
    // Two floods saturate a 2-core machine; niced, they still flood the daemon (which runs at
    // normal priority) but no longer starve the status command's own node start-up of CPU.
    sb.write('ecosystem.yaml', spamFile({ 'spam-a': total, 'spam-b': total }, '{ SPAM_NICE: "10" }'));
    // Start the daemon first, so the flood starts right after apply and status timings are clean.
    expect((await sb.orch(['daemon', 'start'], { env })).code).toBe(0);
    const apply = await sb.orch(['apply'], { env });
    expect(apply.code, apply.stderr + apply.stdout).toBe(0);

    const statusTimes: number[] = [];
    while (!(lastLineIs('spam-a', total) && lastLineIs('spam-b', total))) {
      const started = performance.now();
      const r = await sb.orch(['status', '--output', 'json']);
      statusTimes.push(performance.now() - started);
      expect(r.code, r.stderr).toBe(0);
    }
    for (const app of ['spam-a', 'spam-b']) {
      expect(logFiles(app).length, 'rotation happened').toBeGreaterThan(5);
      expect(firstAnomaly(numbersOf(app), total), app).toBeUndefined();
    }
    // The whole CLI round trip (a node start-up included), on a loaded machine: 1 s is the requirement.
    expect(statusTimes.length, 'status ran during the flood').toBeGreaterThan(0);
    expect(Math.max(...statusTimes), `status round trips: ${statusTimes.map(Math.round).join(', ')} ms`).toBeLessThan(1000);
  }, 120_000);

  it('logs -f started during a flood prints every line once, in order, across rotations', async () => {
    sb.write('ecosystem.yaml', spamFile({ 'spam-a': total }));
    const apply = await sb.orch(['apply'], { env });
    expect(apply.code, apply.stderr + apply.stdout).toBe(0);
    // -n large enough for the whole history: the tail covers what was written before it started.
    const follower = spawn(process.execPath, [orchBin, 'logs', '-f', '-n', '1000000'], { cwd: sb.dir, env: sb.env });
    let followed = '';
    follower.stdout.setEncoding('utf8').on('data', (s: string) => (followed += s));
    try {
      await waitFor(() => followed.includes(` spam-a#0 out line ${total}\n`), { timeout: 60_000, what: 'orch logs -f to print the last line' });
    } finally {
      follower.kill();
    }
    expect(logFiles('spam-a').length, 'rotation happened').toBeGreaterThan(5);
    expect(firstAnomaly(outNumbers(followed.split('\n'), 'spam-a'), total)).toBeUndefined();
  }, 120_000);

  it('keeps ORCH_LOG_KEEP rotated files holding the newest lines, and logs -n reads across them', async () => {
    const total = 20_000;
    sb.write('ecosystem.yaml', spamFile({ small: total }));
    const apply = await sb.orch(['apply'], { env: { ORCH_LOG_MAX_SIZE: '64K', ORCH_LOG_KEEP: '2' } });
    expect(apply.code, apply.stderr + apply.stdout).toBe(0);
    await waitFor(() => lastLineIs('small', total), { what: 'the last line' });

    expect(readdirSync(logDir()).sort()).toEqual(['small.log', 'small.log.1', 'small.log.2']);
    const kept = numbersOf('small');
    expect(kept).toEqual(range(total - kept.length + 1, total));

    const n = kept.length - 10; // more than the live file holds
    const r = await sb.orch(['logs', 'small', '-n', String(n)]);
    expect(r.code, r.stderr).toBe(0);
    expect(outNumbers(r.stdout.split('\n'), 'small')).toEqual(range(total - n + 1, total));

    const json = await sb.orch(['logs', 'small', '-n', '2', '--output', 'json']);
    expect(json.code, json.stderr).toBe(0);
    const records = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records).toEqual(
      [total - 1, total].map((k) => ({ time: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/), app: 'small', instance: 0, stream: 'out', line: `line ${k}` })),
    );
  });

  it('merges every app by time and refuses an unknown app with exit 2', async () => {
    sb.write('ecosystem.yaml', spamFile({ one: 3, two: 3 }));
    expect((await sb.orch(['apply'])).code).toBe(0);
    await waitFor(() => lastLineIs('one', 3) && lastLineIs('two', 3), { what: 'both apps logged' });
    const all = await sb.orch(['logs', '--output', 'json']);
    expect(all.code, all.stderr).toBe(0);
    const records = all.stdout.trim().split('\n').map((l) => JSON.parse(l) as { time: string; app: string; line: string });
    expect(records.map((r) => `${r.app} ${r.line}`).sort()).toEqual(['one line 1', 'one line 2', 'one line 3', 'two line 1', 'two line 2', 'two line 3']);
    expect(records.map((r) => r.time)).toEqual(records.map((r) => r.time).sort());

    const unknown = await sb.orch(['logs', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no logs for app 'nope'.*apps with logs: one, two/);
  });
});
