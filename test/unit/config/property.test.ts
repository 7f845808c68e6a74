// Whatever the text, the loader answers: it never throws, it finishes quickly, and a failure
// always carries positioned Diagnostics (only an unreadable file has line 0).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LoadResult } from '../../../src/config/desired.js';
import { loadEcosystem } from '../../../src/config/load.js';
import { TEST_ENV, tempProject } from './helpers.js';

const VALID = `version: 1
name: shop
defaults:
  shutdown: { timeout: 5s }
apps:
  api:
    run: node server.js --port \${PORT:-3000}
    instances: 2
    mode: cluster
    port: 8080
    env: { NODE_ENV: production }
    restart:
      policy: always
      backoff: { initial: 100ms, max: 30s, factor: 2 }
    ready: { type: listening, timeout: 30s }
    depends_on: [db]
    max_memory: 512M
  db:
    run: [postgres, -D, ./data]
    port: 5432
    watch: { paths: [src], debounce: 200ms }
`;

const DEADLINE_MS = 2_000;
const dir = tempProject({ 'server.js': '' });
let n = 0;

const loadText = async (text: string): Promise<LoadResult> => {
  const file = join(dir, `case-${n++}.yaml`);
  writeFileSync(file, text);
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('deadline')), DEADLINE_MS));
  return Promise.race([loadEcosystem(file, { env: TEST_ENV, cpus: 2 }), timeout]);
};

const wellFormed = (result: LoadResult): void => {
  if (result.ok) return;
  expect(result.errors.length).toBeGreaterThan(0);
  for (const e of result.errors) {
    expect(e.line).toBeGreaterThanOrEqual(1);
    expect(e.col).toBeGreaterThanOrEqual(1);
    expect(typeof e.message).toBe('string');
    expect(e.message.length).toBeGreaterThan(0);
  }
};

const lines = VALID.split('\n');
const JUNK = [':', '- ', '{', '}', '[', ']', '"', "'", '&a ', '*a', '!!str ', '\t', '${', '#', '|', '>', '? ', '---', '%', '@', '\\'];
const VALUES = ['-1', '"x"', '[]', '{}', 'null', 'true', '1.5', '99999', 'max', '${NOPE}', '"${PORT}"', '0'];

/** A mutation of the valid document: delete a line, change a value, insert junk. */
const mutation = fc.oneof(
  fc.nat({ max: lines.length - 1 }).map((i) => (ls: string[]) => ls.filter((_, j) => j !== i)),
  fc.tuple(fc.nat({ max: lines.length - 1 }), fc.constantFrom(...VALUES)).map(([i, v]) => (ls: string[]) =>
    ls.map((l, j) => (j === i && l.includes(':') ? `${l.slice(0, l.indexOf(':') + 1)} ${v}` : l)),
  ),
  fc.tuple(fc.nat({ max: lines.length - 1 }), fc.nat({ max: 40 }), fc.constantFrom(...JUNK)).map(([i, at, junk]) => (ls: string[]) =>
    ls.map((l, j) => (j === i ? l.slice(0, at) + junk + l.slice(at) : l)),
  ),
);

describe('the loader on any input', () => {
  it('accepts the valid base document', async () => {
    const result = await loadText(VALID);
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  it('never throws on random text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 300 }), async (text) => wellFormed(await loadText(text))),
      { numRuns: 200 },
    );
  });

  it('never throws on random YAML-ish text', async () => {
    const token = fc.constantFrom('version', 'apps', 'api', 'run', 'port', ':', ' ', '\n', '  ', '- ', '{', '}', '[', ']', ',', '1', '"', '&x', '*x', '<<', '${A}', 'max');
    await fc.assert(
      fc.asyncProperty(fc.array(token, { maxLength: 60 }), async (tokens) => wellFormed(await loadText(tokens.join('')))),
      { numRuns: 200 },
    );
  });

  it('never throws on mutations of a valid document', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (mutations) => {
        const text = mutations.reduce((ls, m) => m(ls), lines).join('\n');
        wellFormed(await loadText(text));
      }),
      { numRuns: 200 },
    );
  });
});
