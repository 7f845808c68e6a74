// The I/O shell: file names as given, unreadable files, the default environment.
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../src/config/desired.js';
import { loadEcosystem } from '../../../src/config/load.js';
import { tempProject } from './helpers.js';

describe('loadEcosystem', () => {
  it('reports a missing file without a position and without throwing', async () => {
    const result = await loadEcosystem('does/not/exist.yaml');
    expect(result).toEqual({
      ok: false,
      errors: [{ file: 'does/not/exist.yaml', line: 0, col: 0, path: '', message: 'cannot read the file: no such file' }],
      warnings: [],
    });
    if (!result.ok) expect(formatDiagnostic(result.errors[0]!)).toBe('does/not/exist.yaml: cannot read the file: no such file');
  });

  it('reports a directory given as the file', async () => {
    const dir = tempProject();
    const result = await loadEcosystem(dir);
    expect(result.ok ? [] : result.errors.map((e) => e.message)).toEqual(['cannot read the file: it is a directory']);
  });

  it.skipIf(process.getuid?.() === 0)('reports an unreadable file', async () => {
    const dir = tempProject({ 'ecosystem.yaml': 'version: 1\napps: {}\n' });
    chmodSync(join(dir, 'ecosystem.yaml'), 0o000);
    const result = await loadEcosystem(join(dir, 'ecosystem.yaml'));
    expect(result.ok ? [] : result.errors.map((e) => e.message)).toEqual(['cannot read the file: permission denied']);
  });

  it('names the file exactly as the caller passed it', async () => {
    const dir = tempProject({ 'sub/ecosystem.yaml': 'version: 3\napps: {}\n' });
    const given = join(dir, 'sub', '..', 'sub', 'ecosystem.yaml');
    const result = await loadEcosystem(given, { env: {} });
    expect(result.ok ? [] : result.errors.map((e) => e.file)).toEqual([given]);
  });

  it('defaults the project name to the directory of the file', async () => {
    const dir = tempProject({ 'my-shop/ecosystem.yaml': 'version: 1\napps: {}\n' });
    const result = await loadEcosystem(join(dir, 'my-shop/ecosystem.yaml'), { env: {} });
    expect(result.ok && result.desired.project).toBe('my-shop');
  });

  it('uses process.env and the machine CPUs when no options are given', async () => {
    process.env.ORCH_TEST_LOAD_PORT = '4321';
    try {
      const dir = tempProject({ 'a.js': '', 'ecosystem.yaml': 'version: 1\napps:\n  a:\n    run: node a.js\n    port: ${ORCH_TEST_LOAD_PORT}\n    instances: max\n' });
      const result = await loadEcosystem(join(dir, 'ecosystem.yaml'));
      if (!result.ok) throw new Error(result.errors.map(formatDiagnostic).join('\n'));
      expect(result.desired.apps[0]?.port).toBe(4321);
      expect(result.desired.apps[0]?.instances).toBeGreaterThanOrEqual(1);
    } finally {
      delete process.env.ORCH_TEST_LOAD_PORT;
    }
  });
});
