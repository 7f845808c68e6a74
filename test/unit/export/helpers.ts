// Loading a file for export as the CLI does, with a fixed environment so that goldens do not
// depend on who runs them, and the repository's path replaced so that they do not depend on where.
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DesiredState } from '../../../src/config/desired.js';
import { loadEcosystem } from '../../../src/config/load.js';
import { EXPORTERS } from '../../../src/export/exporters.js';
import type { ExportInput, ExportResult, ExportTarget } from '../../../src/export/input.js';
import { readEnvFiles } from '../../../src/export/read-env-files.js';

export const repoRoot = resolve(import.meta.dirname, '../../..');
export const IMAGE = 'registry.example/orch-example:1';

/** Every runnable ecosystem file of the repository (examples/invalid holds broken ones) and the export fixture. */
export const exportFiles = (): { name: string; file: string }[] => [
  { name: 'root', file: join(repoRoot, 'ecosystem.yaml') },
  ...readdirSync(join(repoRoot, 'examples'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'invalid')
    .map((d) => ({ name: d.name, file: join(repoRoot, 'examples', d.name, 'ecosystem.yaml') })),
  { name: 'shop', file: join(repoRoot, 'test/fixtures/export/shop/ecosystem.yaml') },
];

export const loadForExport = async (file: string): Promise<{ desired: DesiredState; input: ExportInput }> => {
  const result = await loadEcosystem(file, { env: { PATH: process.env.PATH, USER: 'tester', HOME: '/home/tester' }, cpus: 2 });
  if (!result.ok) throw new Error(`${file} is invalid: ${JSON.stringify(result.errors)}`);
  const { desired } = result;
  return { desired, input: { project: desired.project, apps: desired.apps, envFiles: await readEnvFiles(desired), image: IMAGE } };
};

export const exportOf = async (target: ExportTarget, file: string, extra: Partial<ExportInput> = {}): Promise<ExportResult> => {
  const { input } = await loadForExport(file);
  return EXPORTERS[target]({ ...input, ...extra });
};

/** Paths inside the repository as `<repo>/...`: the same golden in any clone. */
export const portable = (text: string): string => text.replaceAll(repoRoot, '<repo>');
