// Each engine's own tool reads what orch exports: `systemd-analyze verify` every unit,
// `docker-compose config` every Compose file, `kubectl kustomize` the Kubernetes output dir.
// .ci/run installs systemd and docker-compose; a tool missing here is a visible skip.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { ExportResult } from '../../../src/export/input.js';
import { exportFiles, exportOf } from '../../unit/export/helpers.js';

const run = promisify(execFile);
const has = async (tool: string): Promise<boolean> =>
  run('sh', ['-c', `command -v ${tool}`]).then(
    () => true,
    () => false,
  );
const [systemdAnalyze, dockerCompose, kubectl] = await Promise.all([has('systemd-analyze'), has('docker-compose'), has('kubectl')]);

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const writeOut = (result: ExportResult): string => {
  const dir = mkdtempSync(join(tmpdir(), 'orch-export-'));
  dirs.push(dir);
  for (const f of result.files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.text);
  }
  return dir;
};

/** What systemd-analyze says about the units: the target, its sockets and every instance it pulls in. */
const verifyUnits = async (dir: string, project: string, user: boolean): Promise<{ stderr: string; units: string[] }> => {
  const target = `${project}.target`;
  const wants = /^Wants=(.*)$/m.exec(readFileSync(join(dir, target), 'utf8'))?.[1]?.split(' ') ?? [];
  const units = [target, ...wants];
  const runtime = mkdtempSync(join(tmpdir(), 'orch-xdg-'));
  dirs.push(runtime);
  const { stderr } = await run('systemd-analyze', ['verify', '--man=no', ...(user ? ['--user'] : []), ...units.map((u) => join(dir, u))], {
    env: { ...process.env, XDG_RUNTIME_DIR: runtime, SYSTEMD_LOG_COLOR: '0' },
    timeout: 60_000,
  });
  return { stderr, units };
};

describe.each(exportFiles())('engines read the export of $name', ({ file }) => {
  it.skipIf(!systemdAnalyze)(`systemd-analyze verify passes on every unit, system and --user${systemdAnalyze ? '' : ' (skipped: no systemd-analyze; .ci/run installs systemd)'}`, async () => {
    for (const user of [false, true]) {
      const result = await exportOf('systemd', file, { user });
      const project = result.files.find((f) => f.path.endsWith('.target'))!.path.replace(/\.target$/, '');
      const { stderr, units } = await verifyUnits(writeOut(result), project, user);
      expect(units.length).toBeGreaterThan(1);
      // verify exits 0 on unknown keys and bad values, which it only warns about.
      expect(stderr).toBe('');
    }
  });

  it.skipIf(!dockerCompose)(`docker-compose config accepts the Compose file${dockerCompose ? '' : ' (skipped: no docker-compose; .ci/run installs it)'}`, async () => {
    const dir = writeOut(await exportOf('compose', file));
    const { stderr } = await run('docker-compose', ['-f', join(dir, 'compose.yaml'), 'config', '-q'], { timeout: 60_000 });
    expect(stderr).toBe('');
  });

  it.skipIf(!kubectl)(`kubectl kustomize builds the Kubernetes output dir${kubectl ? '' : ' (skipped: no kubectl)'}`, async () => {
    const result = await exportOf('kubernetes', file);
    const { stdout } = await run('kubectl', ['kustomize', writeOut(result)], { timeout: 60_000 });
    const kinds = [...stdout.matchAll(/^kind: (\w+)$/gm)].map((m) => m[1]);
    expect(kinds.length).toBe(result.stream.split(/^---$/m).length);
  });
});

describe('the checks can fail', () => {
  it.skipIf(!systemdAnalyze)('systemd-analyze warns about an unknown key', async () => {
    const dir = writeOut({ files: [{ path: 'x.target', text: '[Unit]\nWants=x@0.service\n' }, { path: 'x@.service', text: '[Service]\nExecStart=/bin/true\nBogus=1\n' }], stream: '', fidelity: [] });
    expect((await verifyUnits(dir, 'x', false)).stderr).toMatch(/Unknown key 'Bogus'/);
  });

  it.skipIf(!dockerCompose)('docker-compose config refuses an unknown service key', async () => {
    const dir = writeOut({ files: [{ path: 'compose.yaml', text: 'services:\n  a:\n    image: x\n    bogus: 1\n' }], stream: '', fidelity: [] });
    await expect(run('docker-compose', ['-f', join(dir, 'compose.yaml'), 'config', '-q'])).rejects.toThrow(/bogus/);
  });
});
