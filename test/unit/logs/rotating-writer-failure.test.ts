// A log file that cannot be written (a full disk; here a missing directory): its lines are dropped
// and counted, without I/O, until RETRY_MS passes; then one write is tried and capture resumes.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { RETRY_MS, RotatingWriter } from '../../../src/logs/rotating-writer.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('drops and counts lines while writes fail, says so once, and resumes after RETRY_MS', async () => {
  dir = mkdtempSync(join(tmpdir(), 'orch-rw-'));
  const path = join(dir, 'missing', 'app.log');
  let now = 1_000;
  const writer = new RotatingWriter(path, { maxBytes: 1 << 20, keep: 1 }, undefined, () => now);
  const errors: Error[] = [];
  const resumed: number[] = [];
  writer.on('error', (e) => errors.push(e));
  writer.on('resumed', (n) => resumed.push(n));

  writer.write('a\nb\n');
  await new Promise<void>((resolve) => writer.once('error', () => resolve()));
  for (let k = 0; k < 100; k++) writer.write(`dropped ${k}\n`);
  expect(writer.droppedLines).toBe(102);
  expect(errors).toHaveLength(1);

  mkdirSync(join(dir, 'missing'));
  now += RETRY_MS;
  writer.write('back\n');
  await writer.end();
  expect(readFileSync(path, 'utf8')).toBe('back\n');
  expect(resumed).toEqual([102]);
  expect(errors).toHaveLength(1);
});
