import { mkdtempSync, readFileSync, rmSync, truncateSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DesiredState } from '../../../src/config/desired.js';
import type { PersistedState } from '../../../src/daemon/state-store.js';
import { emptyState, readState, withoutProject, writeState } from '../../../src/daemon/state-store.js';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'orch-state-'));
  path = join(dir, 'state.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const withGeneration = (n: number): PersistedState => ({ ...emptyState(), generations: { shop: n }, nextGeneration: n + 1 });

describe('state store', () => {
  it('a missing file is the empty state', () => {
    expect(readState(path)).toEqual({ ok: true, state: emptyState() });
  });

  it('round-trips what it wrote', async () => {
    await writeState(path, withGeneration(2), withGeneration(1));
    expect(readState(path)).toEqual({ ok: true, state: withGeneration(2) });
  });

  it('a file cut short on disk is detected and the previous good state is used, with a message', async () => {
    await writeState(path, withGeneration(1), emptyState());
    await writeState(path, withGeneration(2), withGeneration(1));
    truncateSync(path, Math.floor(statSync(path).size / 2));
    const r = readState(path);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.state).toEqual(withGeneration(1));
    expect(r.warning).toMatch(/state\.json is damaged \(not valid JSON, probably cut short.*using the previous good state from .*state\.json\.prev/);
  });

  it('a file whose content does not match its checksum is damaged too', async () => {
    await writeState(path, withGeneration(2), withGeneration(1));
    const text = readFileSync(path, 'utf8').replace('"nextGeneration\\":3', '"nextGeneration\\":4');
    writeFileSync(path, text);
    const r = readState(path);
    expect(r.ok && r.warning).toMatch(/checksum mismatch/);
  });

  it('with no good copy at all it says so instead of guessing', () => {
    writeFileSync(path, '{"sha256":');
    const r = readState(path);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toMatch(/damaged .* no previous good state exists/);
  });
});

describe('withoutProject', () => {
  const desired = (project: string, apps: string[]) => ({ project, file: `/${project}.yaml`, hash: 'h', apps: apps.map((name) => ({ name })) }) as unknown as DesiredState;
  const state: PersistedState = {
    version: 1,
    projects: { shop: desired('shop', ['web', 'mailer']), blog: desired('blog', ['posts']) },
    stopped: ['mailer', 'posts'],
    generations: { shop: 3, blog: 2 },
    nextGeneration: 4,
  };

  it('drops the desired state, generation pointer and stopped marks of that project only', () => {
    expect(withoutProject(state, 'shop')).toEqual({
      apps: ['mailer', 'web'],
      state: { version: 1, projects: { blog: state.projects.blog }, stopped: ['posts'], generations: { blog: 2 }, nextGeneration: 4 },
    });
  });

  it('also clears the stopped marks of apps named by the caller (those the daemon runs for it)', () => {
    const r = withoutProject({ ...state, projects: { blog: state.projects.blog! }, generations: { blog: 2 } }, 'shop', ['mailer']);
    expect(r?.state.stopped).toEqual(['posts']);
    expect(r?.apps).toEqual([]);
  });

  it('is undefined for a project the state holds nothing of', () => {
    expect(withoutProject(state, 'nope')).toBeUndefined();
    expect(withoutProject(emptyState(), 'shop')).toBeUndefined();
  });
});
