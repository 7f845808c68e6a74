// The rotating writer, the capture and the readers on real files in a temporary directory.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogCapture } from '../../../src/logs/capture.js';
import { logFilePath, rotatedPath } from '../../../src/logs/files.js';
import { LogFollower } from '../../../src/logs/follow.js';
import { RotatingWriter } from '../../../src/logs/rotating-writer.js';
import { tailApp } from '../../../src/logs/tail.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'orch-logs-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const record = (n: number): string => `2025-01-01T00:00:00.000Z app#0 out line ${n}\n`;
/** Every line of the live file and its rotated ones, oldest first. */
const allLines = (file: string): string[] => {
  const generations = readdirSync(dirname(file))
    .filter((f) => f.startsWith('app.log'))
    .map((f) => Number(f.split('.')[2] ?? 0))
    .sort((a, b) => b - a);
  return generations.flatMap((g) => readFileSync(rotatedPath(file, g), 'utf8').split('\n').slice(0, -1));
};
const numbers = (lines: readonly string[]): number[] => lines.map((l) => Number(l.slice(l.lastIndexOf(' ') + 1)));
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, k) => from + k);

describe('RotatingWriter', () => {
  it('rotates at the size limit between whole records, keeps N files, loses and repeats nothing it keeps', async () => {
    const file = join(dir, 'app.log');
    const w = new RotatingWriter(file, { maxBytes: 4096, keep: 3 }, 512);
    for (let n = 1; n <= 2000; n++) w.write(record(n));
    await w.end();
    expect(readdirSync(dir).sort()).toEqual(['app.log', 'app.log.1', 'app.log.2', 'app.log.3']);
    for (const f of readdirSync(dir)) expect(statSync(join(dir, f)).size).toBeLessThanOrEqual(4096);
    const kept = numbers(allLines(file));
    // The newest records, contiguous up to the last one written.
    expect(kept).toEqual(range(2001 - kept.length, 2000));
    expect(kept.length).toBeGreaterThan(3 * 4096 / record(2000).length);
    expect(w.rotations).toBeGreaterThan(10);
  });

  it('keeps no rotated file with keep 0, and resumes the size of an existing file', async () => {
    const file = join(dir, 'app.log');
    const first = new RotatingWriter(file, { maxBytes: 1000, keep: 0 });
    first.write('x'.repeat(599) + '\n');
    await first.end();
    const second = new RotatingWriter(file, { maxBytes: 1000, keep: 0 });
    second.write('y'.repeat(599) + '\n');
    await second.end();
    expect(readdirSync(dir)).toEqual(['app.log']);
    expect(readFileSync(file, 'utf8')).toBe('y'.repeat(599) + '\n');
  });

  it('asks for backpressure above its high-water mark and drains', async () => {
    const w = new RotatingWriter(join(dir, 'app.log'), { maxBytes: 1 << 20, keep: 1 }, 100);
    // The first write goes straight to the file; what queues behind it counts.
    expect(w.write('a'.repeat(50))).toBe(true);
    expect(w.write('a'.repeat(60))).toBe(true);
    expect(w.write('a'.repeat(60))).toBe(false);
    await new Promise<void>((resolve) => w.once('drain', resolve));
    await w.end();
  });
});

describe('LogCapture', () => {
  it('pauses the source when the file falls behind and still writes every line, in order', async () => {
    const logger = pino({ level: 'silent' });
    const capture = new LogCapture(dir, () => Date.parse('2025-01-01T00:00:00Z'), logger, {
      settings: { maxBytes: 64 * 1024, keep: 100 },
      highWaterMark: 4096,
    });
    const source = new PassThrough();
    capture.attach('app', 0, 'out', source);
    const total = 50_000;
    let n = 1;
    await new Promise<void>((resolve) => {
      const pump = (): void => {
        while (n <= total) if (!source.write(`line ${n++}\n`)) return void source.once('drain', pump);
        source.end('partial');
        resolve();
      };
      pump();
    });
    await capture.close('app');
    const lines = allLines(join(dir, 'logs', 'app.log'));
    expect(lines.at(-1)).toBe('2025-01-01T00:00:00.000Z app#0 out partial');
    expect(numbers(lines.slice(0, -1))).toEqual(range(1, total));
    expect(capture.stats()).toMatchObject({ pauses: expect.any(Number), rotations: expect.any(Number), lostBytes: 0 });
    expect(capture.stats().pauses).toBeGreaterThan(0);
    expect(capture.stats().rotations).toBeGreaterThan(0);
  });
});

describe('tail and follow', () => {
  it('tailApp reads the last N lines across rotated files, newest file first', async () => {
    const file = join(dir, 'app.log');
    const w = new RotatingWriter(file, { maxBytes: 2048, keep: 50 });
    for (let n = 1; n <= 1000; n++) w.write(record(n));
    await w.end();
    for (const n of [0, 1, 10, 123, 999, 1000, 5000]) {
      const { lines } = await tailApp(file, n, false);
      expect(numbers(lines)).toEqual(range(1001 - Math.min(n, 1000), 1000));
    }
  });

  it('the follower sees every line once, in order, across several rotations between two polls', async () => {
    const file = logFilePath(dir, 'app');
    const w = new RotatingWriter(file.replace('/logs', ''), { maxBytes: 1024, keep: 20 });
    const seen: string[] = [];
    w.write(record(1));
    await new Promise((r) => setTimeout(r, 20));
    const start = await tailApp(w.path, 0, true);
    const follower = new LogFollower(w.path, (lines) => seen.push(...lines), start.live);
    let n = 2;
    for (let round = 0; round < 5; round++) {
      // ~4 rotations per round.
      for (let k = 0; k < 100; k++) w.write(record(n++));
      await new Promise((r) => setTimeout(r, 30));
      await follower.poll();
    }
    await w.end();
    await follower.poll();
    await follower.close();
    expect(numbers(seen)).toEqual(range(2, n - 1));
  });
});

describe('filtered tails and flush', () => {
  const rec = (n: number, stream: 'out' | 'err', second = n) =>
    `2025-01-01T00:00:${String(second % 60).padStart(2, '0')}.000Z app#${n % 2} ${stream} line ${n}\n`;

  it('tailApp with a verdict counts only kept lines, across rotated files, and stops at the first older line', async () => {
    const file = join(dir, 'app.log');
    const w = new RotatingWriter(file, { maxBytes: 600, keep: 10 });
    for (let n = 1; n <= 40; n++) w.write(rec(n, n % 3 === 0 ? 'err' : 'out'));
    await w.end();
    expect(readdirSync(dir).length).toBeGreaterThan(2);
    const errs = await tailApp(file, 4, false, (l) => (l.includes(' err ') ? 'keep' : 'skip'));
    expect(numbers(errs.lines)).toEqual([30, 33, 36, 39]);
    const all = await tailApp(file, Infinity, false, (l) => (l.includes(' err ') ? 'keep' : 'skip'));
    expect(numbers(all.lines)).toEqual(range(1, 13).map((k) => k * 3));
    // Lines from second 30 on: reading stops at line 29, the older files are not needed.
    const since = await tailApp(file, Infinity, false, (l) => (l.slice(0, 24) < '2025-01-01T00:00:30.000Z' ? 'stop' : 'keep'));
    expect(numbers(since.lines)).toEqual(range(30, 40));
  });

  it('truncate empties the live file in place and removes rotated ones; later writes land in the same file', async () => {
    const file = join(dir, 'app.log');
    const first = new RotatingWriter(file, { maxBytes: 300, keep: 2 });
    for (let n = 1; n <= 20; n++) first.write(record(n));
    await first.end();
    expect(readdirSync(dir).sort()).toEqual(['app.log', 'app.log.1', 'app.log.2']);
    const w = new RotatingWriter(file, { maxBytes: 300, keep: 2 });
    w.write(record(21)); // in flight when the truncation is asked for: written first, then emptied
    await w.truncate();
    const ino = statSync(file).ino;
    expect(readdirSync(dir)).toEqual(['app.log']);
    expect(statSync(file).size).toBe(0);
    w.write(record(22));
    await w.end();
    expect(statSync(file).ino).toBe(ino);
    expect(readFileSync(file, 'utf8')).toBe(record(22));
  });

  it('LogCapture.flush empties every app with logs, writer or not; remove takes an app’s files', async () => {
    const capture = new LogCapture(dir, Date.now, pino({ level: 'silent' }), { settings: { maxBytes: 1 << 20, keep: 2 } });
    const out = new PassThrough();
    capture.attach('live', 0, 'out', out);
    out.write('one\n');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const logs = join(dir, 'logs');
    expect(readFileSync(join(logs, 'live.log'), 'utf8')).toMatch(/one/);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(logs, 'gone.log'), record(1));
    writeFileSync(join(logs, 'gone.log.7'), record(1));
    expect(await capture.flush('nope')).toEqual([]);
    expect(await capture.flush()).toEqual(['gone', 'live']);
    expect(readdirSync(logs).sort()).toEqual(['live.log']);
    expect(statSync(join(logs, 'live.log')).size).toBe(0);
    out.write('two\n');
    out.end();
    await capture.remove('live');
    expect(readdirSync(logs)).toEqual([]);
  });
});
