// Every file of examples/invalid/ fails with exactly the lines of its .expected file: the errors,
// then the warnings, as `orch validate` prints them. The loader gets the path relative to the
// repository root, as a user typing it would give it, and a PATH where `node` is found.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, formatWarning } from '../../../src/config/desired.js';
import { loadEcosystem } from '../../../src/config/load.js';

const dir = join(import.meta.dirname, '../../../examples/invalid');
const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

describe('examples/invalid', () => {
  it('has at least 30 examples, each with its .expected', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    for (const f of cases) expect(readdirSync(dir)).toContain(f.replace(/\.yaml$/, '.expected'));
  });

  it.each(cases)('%s', async (name) => {
    const file = relative(process.cwd(), join(dir, name));
    const expected = readFileSync(join(dir, name.replace(/\.yaml$/, '.expected')), 'utf8').trimEnd().split('\n');
    const result = await loadEcosystem(file, { env: { PATH: `${dirname(process.execPath)}:/usr/bin:/bin` }, cpus: 2 });
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors.map(formatDiagnostic);
    expect([...errors, ...result.warnings.map(formatWarning)]).toEqual(expected);
  });
});
