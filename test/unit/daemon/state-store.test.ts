import { mkdtempSync, readFileSync, rmSync, truncateSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PersistedState } from '../../../src/daemon/state-store.js';
import { emptyState, readState, writeState } from '../../../src/daemon/state-store.js';

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
