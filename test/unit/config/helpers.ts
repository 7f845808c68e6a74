import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll } from 'vitest';
import { type LoadResult, formatDiagnostic } from '../../../src/config/desired.js';
import { loadEcosystem } from '../../../src/config/load.js';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** A fresh temp project directory holding `files` (path relative to it -> contents). */
export const tempProject = (files: Readonly<Record<string, string>> = {}): string => {
  const root = mkdtempSync(join(tmpdir(), 'orch-config-'));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
};

/**
 * A directory of stub programs named like the commands the tests write (`run: x`), so that a
 * test about ports is not also about commands: validation checks that a command resolves.
 */
const stubBin = tempProject(
  Object.fromEntries(['x', 'y', 'z', 'a', 'b', 'postgres', 'python'].map((name) => [name, '#!/bin/sh\n'])),
);
for (const name of readdirSync(stubBin)) chmodSync(join(stubBin, name), 0o755);

/** The caller's environment of the tests: the stubs, node's own directory and the usual ones. */
export const TEST_ENV = { PATH: `${stubBin}:${dirname(process.execPath)}:/usr/bin:/bin`, HOME: '/home/test' } as const;

/** The scripts the tests name (`run: node server.js`): they exist, like the stub programs. */
const STUB_SCRIPTS = Object.fromEntries(
  ['server.js', 's.js', 'x.js', 'a.js', 'app.js', 'api.js', 'web.js', 'worker.js', 'dist/main.mjs'].map((f) => [f, '']),
);

/** Loads `yaml` as `ecosystem.yaml` in a temp project with the stub scripts and the `files` beside it. */
export const loadYaml = async (
  yaml: string,
  options: { files?: Record<string, string>; env?: Record<string, string | undefined>; cpus?: number } = {},
): Promise<LoadResult & { dir: string }> => {
  const dir = tempProject({ ...STUB_SCRIPTS, ...options.files, 'ecosystem.yaml': yaml });
  const result = await loadEcosystem(join(dir, 'ecosystem.yaml'), { env: options.env ?? TEST_ENV, cpus: options.cpus ?? 2 });
  return { ...result, dir };
};

/** The rendered errors with the temp directory replaced by `ecosystem.yaml`, or [] when valid. */
export const errorsOf = async (yaml: string, options: Parameters<typeof loadYaml>[1] = {}): Promise<string[]> => {
  const result = await loadYaml(yaml, options);
  if (result.ok) return [];
  return result.errors.map((d) => formatDiagnostic({ ...d, file: 'ecosystem.yaml' }));
};

/** The valid app `name` of `yaml`; fails the test with the errors when the file is invalid. */
export const appOf = async (yaml: string, name: string, options: Parameters<typeof loadYaml>[1] = {}) => {
  const result = await loadYaml(yaml, options);
  if (!result.ok) throw new Error(result.errors.map(formatDiagnostic).join('\n'));
  const app = result.desired.apps.find((a) => a.name === name);
  if (app === undefined) throw new Error(`no app ${name}`);
  return { app, desired: result.desired, dir: result.dir };
};
