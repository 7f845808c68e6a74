// `orch logs --err/--out/--since/--lines/app#N` and `orch flush`, through the built binary (SPEC §11).
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { waitFor } from '../helpers/wait-for.js';

let sb: Sandbox;
beforeEach(() => {
  sb = createSandbox();
});
afterEach(async () => {
  await sb.cleanup();
});

// Five out and five err lines at start, then one out line per `TICK_MS` (0: none).
const PRINTER = `
const i = process.env.ORCH_INSTANCE;
for (let k = 1; k <= 5; k++) { console.log('out ' + k + ' of ' + i); console.error('err ' + k + ' of ' + i); }
let tick = 0;
const ms = Number(process.env.TICK_MS || 0);
if (ms > 0) setInterval(() => console.log('tick ' + ++tick + ' of ' + i), ms);
else setInterval(() => {}, 1 << 30);
process.on('SIGTERM', () => process.exit(0));
`;

const file = (tickMs: number) => `
version: 1
name: printing
apps:
  printer:
    run: [node, printer.js]
    instances: 2
    env: { TICK_MS: "${tickMs}" }
    ready: { type: none, delay: 0ms }
  other:
    run: [node, printer.js]
    ready: { type: none, delay: 0ms }
`;

const logDir = (): string => join(sb.home, 'logs');
const texts = (stdout: string): string[] =>
  stdout
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.slice(l.indexOf(' ') + 1));

const setUp = async (tickMs = 0): Promise<void> => {
  sb.write('printer.js', PRINTER);
  sb.write('ecosystem.yaml', file(tickMs));
  const r = await sb.orch(['apply']);
  expect(r.code, r.stderr + r.stdout).toBe(0);
  // Both instances of printer and other have written their ten lines.
  await waitFor(async () => (await sb.orch(['logs', '-n', '100'])).stdout.trim().split('\n').length >= 30, { what: '30 lines' });
};

describe('orch logs filters', () => {
  it('--err, --out, app#N, --lines and --since pick the lines asked for', async () => {
    await setUp();
    const err = await sb.orch(['logs', 'printer', '--err', '-n', '100']);
    expect(err.code, err.stderr).toBe(0);
    expect(texts(err.stdout).sort()).toEqual([0, 1].flatMap((i) => [1, 2, 3, 4, 5].map((k) => `printer#${i} err err ${k} of ${i}`)).sort());

    const out = await sb.orch(['logs', 'printer#1', '--out', '--lines', '100']);
    expect(out.code, out.stderr).toBe(0);
    expect(texts(out.stdout)).toEqual([1, 2, 3, 4, 5].map((k) => `printer#1 out out ${k} of 1`));

    // --lines counts the lines that pass the filters.
    const two = await sb.orch(['logs', 'printer#0', '--err', '--lines', '2']);
    expect(texts(two.stdout)).toEqual(['printer#0 err err 4 of 0', 'printer#0 err err 5 of 0']);

    const all = await sb.orch(['logs', '--since', '1h']);
    expect(texts(all.stdout)).toHaveLength(30); // --since alone prints every line since then
    const none = await sb.orch(['logs', '--since', new Date(Date.now() + 3_600_000).toISOString()]);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toBe('');
    const old = await sb.orch(['logs', 'other', '--since', '2000-01-01T00:00:00Z', '--output', 'json']);
    expect(old.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { app: string }).app)).toEqual(Array(10).fill('other'));

    const bad = await sb.orch(['logs', '--since', 'yesterday-ish']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--since/);
    const badInstance = await sb.orch(['logs', 'printer#x']);
    expect(badInstance.code).toBe(2);
  });
});

describe('orch flush', () => {
  it("empties an app's live and rotated files; the daemon keeps capturing into the emptied file", async () => {
    await setUp(100);
    const rotated = join(logDir(), 'printer.log.1');
    writeFileSync(rotated, '2000-01-01T00:00:00.000Z printer#0 out old line\n', { mode: 0o600 });
    const f = await sb.orch(['flush', 'printer']);
    expect(f.code, f.stderr + f.stdout).toBe(0);
    expect(f.stdout).toMatch(/printer/);
    expect(existsSync(rotated)).toBe(false);
    // `other` is untouched.
    expect(readFileSync(join(logDir(), 'other.log'), 'utf8').split('\n').length).toBeGreaterThan(10);
    // New lines land in the file at the same path, and nothing from before the flush is there.
    const fresh = await waitFor(
      async () => {
        const r = await sb.orch(['logs', 'printer', '-n', '100']);
        return texts(r.stdout).length >= 2 ? texts(r.stdout) : undefined;
      },
      { what: 'lines after the flush' },
    );
    expect(fresh.every((l) => / out tick \d+ of \d$/.test(l))).toBe(true);
    expect(statSync(join(logDir(), 'printer.log')).size).toBeGreaterThan(0);

    const everything = await sb.orch(['flush', '--output', 'json']);
    expect(everything.code, everything.stderr).toBe(0);
    expect((JSON.parse(everything.stdout) as { apps: string[] }).apps).toEqual(['other', 'printer']);
    expect(statSync(join(logDir(), 'other.log')).size).toBe(0);

    const unknown = await sb.orch(['flush', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no app named 'nope'/);
  });

  it("an app's logs go with it on delete and down", async () => {
    await setUp();
    const d = await sb.orch(['delete', 'other']);
    expect(d.code, d.stderr + d.stdout).toBe(0);
    expect(readdirSync(logDir()).filter((n) => n.startsWith('other.log'))).toEqual([]);
    const logs = await sb.orch(['logs', 'other']);
    expect(logs.code).toBe(2);
    const down = await sb.orch(['down']);
    expect(down.code, down.stderr + down.stdout).toBe(0);
    expect(readdirSync(logDir()).filter((n) => n.startsWith('printer.log'))).toEqual([]);
  });
});
