// `orch export` through the built binary: files under --out and nothing of them on stdout,
// the fidelity table on stderr, the JSON shape, and the exit codes.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, repoRoot, type Sandbox } from '../helpers/sandbox.js';

const SHOP = join(repoRoot, 'test/fixtures/export/shop/ecosystem.yaml');
const SECRET = 'not-a-real-password';

let sb: Sandbox;
beforeEach(() => {
  sb = createSandbox();
});
afterEach(async () => {
  await sb.cleanup();
});

describe('orch export', () => {
  it('kubernetes --out: files written, stdout empty, the report on stderr, no secret printed', async () => {
    const out = join(sb.dir, 'k8s');
    const r = await sb.orch(['export', 'kubernetes', SHOP, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^APP +FIELD +FIDELITY +TO +NOTE$/m);
    expect(r.stderr).toMatch(/mapped, \d+ approximated, \d+ dropped/);
    expect(r.stderr).not.toContain(SECRET);
    expect(r.stderr).not.toContain(Buffer.from(`postgres://shop:${SECRET}@db:5432/shop`).toString('base64'));
    for (const f of ['api.yaml', 'db.yaml', 'kustomization.yaml']) expect(existsSync(join(out, f))).toBe(true);
    expect(readFileSync(join(out, 'api.yaml'), 'utf8')).toContain('kind: Secret');
  });

  it('systemd --output json: the stream and one row per field, without --out', async () => {
    const r = await sb.orch(['export', 'systemd', SHOP, '--output', 'json', '--user']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ target: 'systemd', project: 'shop', out: null });
    expect(json.files.map((f: { path: string }) => f.path)).toContain('shop-db.socket');
    expect(json.stream).toContain('WantedBy=default.target');
    expect(json.fidelity[0]).toEqual({ app: 'api', field: 'run', fidelity: 'mapped', to: expect.any(String), note: expect.any(String) });
  });

  it('compose without an image: exit 2 and which app needs one', async () => {
    const file = join(repoRoot, 'examples/gitops/ecosystem.yaml');
    const r = await sb.orch(['export', 'compose', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/app 'web' has no image for compose/);
    const ok = await sb.orch(['export', 'compose', file, '--image', 'node:20']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^services:\n {2}web:/);
  });

  it('an unknown target is a usage error', async () => {
    const r = await sb.orch(['export', 'nomad', SHOP]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nomad/);
  });
});
