// Golden files: every example exported to every target, files and fidelity report, byte for
// byte. Regenerate with ORCH_UPDATE_GOLDENS=1 after a deliberate change, and read the diff.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXPORT_TARGETS } from '../../../src/export/exporters.js';
import { renderFidelity } from '../../../src/export/fidelity.js';
import { exportFiles, exportOf, portable, repoRoot } from './helpers.js';

const goldenDir = join(repoRoot, 'test/fixtures/export/golden');

describe.each(exportFiles())('golden export of $name', ({ name, file }) => {
  it.each(EXPORT_TARGETS)('%s', async (target) => {
    const result = await exportOf(target, file);
    const text = portable(
      [...result.files.map((f) => `==> ${f.path} <==\n${f.text}`), `==> fidelity <==\n${renderFidelity(result.fidelity)}\n`].join('\n'),
    );
    const golden = join(goldenDir, `${name}.${target}.txt`);
    if (process.env.ORCH_UPDATE_GOLDENS === '1' || !existsSync(golden)) {
      mkdirSync(goldenDir, { recursive: true });
      writeFileSync(golden, text);
    }
    expect(text).toBe(readFileSync(golden, 'utf8'));
  });

  it.each(EXPORT_TARGETS)('%s is stable: the same bytes twice', async (target) => {
    const [a, b] = [await exportOf(target, file), await exportOf(target, file)];
    expect(b.files).toEqual(a.files);
    expect(a.files.map((f) => f.text).join('')).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:/);
  });
});
