// Nothing silently dropped: every field of every app has exactly one row per target; secrets
// appear in no row; `export:` is validated like the rest of the file and never makes a plan.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXPORT_TARGETS, EXPORTERS } from '../../../src/export/exporters.js';
import { EXPORTED_FIELDS } from '../../../src/export/fidelity.js';
import { planActions } from '../../../src/reconcile/plan.js';
import type { ActualState } from '../../../src/supervisor/view.js';
import type { DesiredState } from '../../../src/config/desired.js';
import { loadEcosystem } from '../../../src/config/load.js';
import { errorsOf, loadYaml, TEST_ENV } from '../config/helpers.js';
import { exportFiles, exportOf, loadForExport, repoRoot } from './helpers.js';

const SHOP = join(repoRoot, 'test/fixtures/export/shop/ecosystem.yaml');
const ENV_FILE_VALUES = ['postgres://shop:not-a-real-password@db:5432/shop', 'from-the-env-file'];

describe('fidelity rows', () => {
  it("cover every key the schema allows in an app (a new key without a row fails here)", () => {
    const schema = JSON.parse(readFileSync(join(repoRoot, 'schemas/ecosystem.schema.json'), 'utf8'));
    const keys = Object.keys(schema.$defs.app.properties as object).sort();
    const covered = [...new Set(EXPORTED_FIELDS.map((f) => f.split('.')[0]))].sort();
    expect(covered).toEqual(keys);
  });

  it.each(EXPORT_TARGETS)('%s: one row per field of every app of every example', async (target) => {
    for (const { file } of exportFiles()) {
      const { input } = await loadForExport(file);
      const { fidelity } = EXPORTERS[target](input);
      for (const app of input.apps) {
        expect(fidelity.filter((r) => r.app === app.name).map((r) => r.field)).toEqual([...EXPORTED_FIELDS]);
      }
      expect(fidelity.length).toBe(input.apps.length * EXPORTED_FIELDS.length);
      for (const r of fidelity) expect(r.fidelity === 'dropped' ? r.to : r.note + r.to, `${r.app} ${r.field}`).toBeTruthy();
    }
  });

  it.each(EXPORT_TARGETS)("%s: env_file values appear in no row, and in no file but Kubernetes' Secret (base64)", async (target) => {
    const result = await exportOf(target, SHOP);
    const rows = JSON.stringify(result.fidelity);
    for (const v of ENV_FILE_VALUES) {
      expect(rows).not.toContain(v);
      expect(result.stream).not.toContain(v);
    }
    if (target === 'kubernetes') expect(result.stream).toContain(Buffer.from(ENV_FILE_VALUES[0]!).toString('base64'));
  });

  it('kubernetes: a value env overrides is config, not secret; readiness without a port is reported dropped', async () => {
    const { fidelity, stream } = await exportOf('kubernetes', SHOP);
    expect(stream).toContain('SESSION_KEY: override-from-env');
    expect(fidelity.find((r) => r.app === 'api' && r.field === 'env_file')?.note).toMatch(/SESSION_KEY overridden by env/);
    expect(fidelity.find((r) => r.app === 'queue' && r.field === 'ready.type')?.fidelity).toBe('dropped');
    expect(fidelity.find((r) => r.app === 'db' && r.field === 'ready.type')).toMatchObject({ fidelity: 'approximated', to: 'readinessProbe.tcpSocket' });
  });

  it('an app with no image for a container engine is a usage error naming it', async () => {
    const { input } = await loadForExport(join(repoRoot, 'examples/gitops/ecosystem.yaml'));
    const noImage = { ...input, image: undefined };
    expect(() => EXPORTERS.kubernetes(noImage)).toThrow(/app 'web' has no image for kubernetes/);
    expect(() => EXPORTERS.compose(noImage)).toThrow(/--image/);
    expect(() => EXPORTERS.systemd(noImage)).not.toThrow();
  });
});

describe('the export key', () => {
  const file = (exportBlock: string): string => `version: 1
name: p
defaults:
  export:
    image: reg/p:1
    kubernetes: { labels: { team: a } }
apps:
  web:
    run: node server.js
    port: 8080
${exportBlock}`;

  it('merges from defaults into the app, the app winning', async () => {
    const result = await loadYaml(file('    export: { kubernetes: { namespace: prod, labels: { tier: web } } }\n'));
    expect(result.ok && result.desired.apps[0]!.export).toEqual({ image: 'reg/p:1', kubernetes: { namespace: 'prod', labels: { team: 'a', tier: 'web' } } });
  });

  it('is validated like the rest of the file', async () => {
    expect(await errorsOf(file('    export: { kubernetes: { namespace: Not_A_Label, replicas: 2 } }\n'))).toEqual([
      expect.stringMatching(/apps\.web\.export\.kubernetes\.namespace: must be a string matching .*, got "Not_A_Label"/),
      expect.stringMatching(/apps\.web\.export\.kubernetes\.replicas: unknown key 'replicas'/),
    ]);
  });

  it('changes no plan: an export-only change is not an action', async () => {
    // Both files in one directory: the same cwd, only `export` differs.
    const before = await loadYaml(file(''), { files: { 'after.yaml': file('    export: { image: reg/web:2, kubernetes: { namespace: other } }\n') } });
    const after = await loadEcosystem(join(before.dir, 'after.yaml'), { env: TEST_ENV, cpus: 2 });
    if (!before.ok || !after.ok) throw new Error('fixture invalid');
    const running = (d: DesiredState): ActualState => ({
      apps: d.apps.map((spec) => ({
        spec,
        stopped: false,
        instances: Array.from({ length: spec.instances }, (_, index) => ({
          index, state: 'online' as const, pid: 1000 + index, startedAt: 0, restarts: 0, port: spec.port, lastExit: undefined, reason: undefined,
        })),
      })),
    });
    expect(after.desired.apps[0]!.export).not.toEqual(before.desired.apps[0]!.export);
    expect(planActions(after.desired, running(before.desired)).actions).toEqual([]);
  });
});
