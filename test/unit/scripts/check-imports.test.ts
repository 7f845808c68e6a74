// The import check of `npm run lint` (scripts/check-imports.mjs), run on small trees in a temp dir:
// it must fail, saying where, on a circle, on a forbidden import and on I/O reached from pure code.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers/sandbox.js';

const script = join(repoRoot, 'scripts/check-imports.mjs');

interface Check {
  readonly code: number;
  readonly output: string;
}

const check = (dir: string): Promise<Check> =>
  new Promise((resolve) => {
    execFile(process.execPath, [script, dir], { timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, output: stdout + stderr });
    });
  });

const trees: string[] = [];
afterEach(() => {
  for (const dir of trees.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A project dir whose src/ holds `files` (path under src/ → text). */
const tree = (files: Record<string, string>): string => {
  const dir = mkdtempSync(join(tmpdir(), 'orch-imports-'));
  trees.push(dir);
  for (const [path, text] of Object.entries(files)) {
    const full = join(dir, 'src', path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  return dir;
};

// A clean little house every case below breaks in one place.
const CLEAN = {
  'config/desired.ts': "export interface AppSpec { readonly name: string }\n",
  'config/normalize.ts': "import { resolve } from 'node:path';\nimport type { AppSpec } from './desired.js';\nexport const normalize = (name: string): AppSpec => ({ name: resolve(name) });\n",
  'config/load.ts': "import { readFile } from 'node:fs/promises';\nimport { normalize } from './normalize.js';\nexport const load = async (path: string) => normalize(await readFile(path, 'utf8'));\n",
  'reconcile/plan.ts': "import type { AppSpec } from '../config/desired.js';\nimport { sortNames } from './order.js';\nexport const plan = (apps: AppSpec[]) => sortNames(apps.map((a) => a.name));\n",
  'reconcile/order.ts': 'export const sortNames = (names: string[]) => [...names].sort();\n',
  'reconcile/apply.ts': "import { spawnApp } from '../supervisor/spawn.js';\nexport const apply = () => spawnApp();\n",
  'supervisor/spawn.ts': "import { signal } from '../process/signal.js';\nexport const spawnApp = () => signal();\n",
  'process/signal.ts': 'export const signal = () => process.kill(process.pid, 0);\n',
  'daemon/server.ts': "import {\n  apply,\n} from '../reconcile/apply.js';\nexport const serve = () => apply();\n",
  'cli/main.ts': "export const main = async () => (await import('../daemon/server.js')).serve();\n",
};

describe('scripts/check-imports.mjs', () => {
  it('passes a tree with no circle and no forbidden import', async () => {
    const result = await check(tree(CLEAN));
    expect(result).toEqual({ code: 0, output: expect.stringContaining('no circle, no rule broken') });
  });

  it('fails on an import circle and prints its path', async () => {
    const result = await check(
      tree({
        ...CLEAN,
        'supervisor/spawn.ts': "import { stop } from './stop.js';\nexport const spawnApp = () => stop();\n",
        'supervisor/stop.ts': "import type { spawnApp } from './spawn.js';\nexport const stop = (): ReturnType<typeof spawnApp> | void => undefined;\n",
      }),
    );
    expect(result.code).toBe(1);
    expect(result.output).toContain('import circle: src/supervisor/spawn.ts → src/supervisor/stop.ts → src/supervisor/spawn.ts');
  });

  it.each([
    ['config/ imports another room', 'config/normalize.ts', "import { serve } from '../daemon/server.js';\n", 'src/config/normalize.ts:1: config/ imports daemon/'],
    ['the CLI imports the supervisor', 'cli/status.ts', "import { spawnApp } from '../supervisor/spawn.js';\n", 'src/cli/status.ts:1: cli/ imports supervisor/'],
    ['the supervisor imports reconcile/', 'supervisor/view.ts', "import type { plan } from '../reconcile/plan.js';\n", 'src/supervisor/view.ts:1: supervisor/ imports reconcile/'],
    ['the supervisor imports the daemon', 'supervisor/view.ts', "export { serve } from '../daemon/server.js';\n", 'src/supervisor/view.ts:1: supervisor/ imports daemon/'],
    ['reconcile/ imports the daemon', 'reconcile/result.ts', "\n\nimport * as server from '../daemon/server.js';\n", 'src/reconcile/result.ts:3: reconcile/ imports daemon/'],
    ['worker/ imports orch', 'worker/index.ts', "import type { AppSpec } from '../config/desired.js';\n", 'src/worker/index.ts:1: worker/ imports config/'],
    ['logs/ imports the CLI', 'logs/tail.ts', "import { main } from '../cli/main.js';\n", 'src/logs/tail.ts:1: logs/ imports cli/'],
    ['process/ imports another room', 'process/stat.ts', "import { spawnApp } from '../supervisor/spawn.js';\n", 'src/process/stat.ts:1: process/ imports supervisor/'],
  ])('fails when %s, naming file:line', async (_what, path, text, message) => {
    const result = await check(tree({ ...CLEAN, [path]: text }));
    expect(result.code).toBe(1);
    expect(result.output).toContain(message);
  });

  it.each([
    ['config/ imports an I/O builtin', 'config/normalize.ts', "import { readFileSync } from 'node:fs';\n", "src/config/normalize.ts:1: a pure module imports 'node:fs'"],
    ['config/ imports its loader', 'config/normalize.ts', "import { load } from './load.js';\n", "src/config/normalize.ts:1: a pure module imports './load.js': src/config/load.ts is not on the pure modules' list"],
    ['plan.ts imports a reconcile file off the list', 'reconcile/plan.ts', "import { apply } from './apply.js';\n", "src/reconcile/plan.ts:1: a pure module imports './apply.js'"],
    ['a file plan.ts imports does I/O', 'reconcile/order.ts', "import { statSync } from 'node:fs';\n", "src/reconcile/order.ts:1: a pure module imports 'node:fs': 'node:fs' is not on the pure packages' list (reached from src/reconcile/plan.ts)"],
  ])('fails when %s (I/O reachable from pure code)', async (_what, path, text, message) => {
    const result = await check(tree({ ...CLEAN, [path]: text }));
    expect(result.code).toBe(1);
    expect(result.output).toContain(message);
  });

  it('passes the real src/', async () => {
    const result = await check(repoRoot);
    expect(result).toEqual({ code: 0, output: expect.stringContaining('no circle, no rule broken') });
  });
});
