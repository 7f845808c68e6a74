// The history store on a damaged or old ORCH_HOME: an index that is missing (an older orch) or
// damaged is rebuilt from the generation files; files a prune did not get to delete are removed.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DesiredState } from '../../src/config/desired.js';
import { openHistory } from '../../src/daemon/history.js';

const desired = (n: number): DesiredState => ({ project: 'shop', file: '/shop.yaml', hash: `h${n}`, apps: [] });
const info = (n: number) => ({ number: n, project: 'shop', time: n, file: '/shop.yaml', hash: `h${n}`, summary: { create: 0, change: 1, delete: 0 } });

describe('the history store', () => {
  let home: string;
  let warnings: string[];
  const dir = () => join(home, 'history');
  const files = () => readdirSync(dir()).filter((f) => /^\d+\.json$/.test(f)).sort();
  const legacy = (n: number) => writeFileSync(join(dir(), `${String(n).padStart(6, '0')}.json`), JSON.stringify({ info: info(n), desired: desired(n) }));
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'orch-history-'));
    mkdirSync(dir());
    warnings = [];
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('builds the index once from an older orch’s files, skipping a damaged one', async () => {
    for (const n of [1, 2, 3]) legacy(n);
    writeFileSync(join(dir(), '000004.json'), '{"info": {"numb'); // cut short
    const history = openHistory(home, 10, (m) => warnings.push(m));
    expect((await history.list()).map((g) => g.number)).toEqual([1, 2, 3]);
    expect(await history.nextNumber()).toBe(4);
    expect(statSync(join(dir(), 'index.json')).mode & 0o777).toBe(0o600);
    // A repeat of the newest migrated generation is recognised by content.
    expect(await history.record(info(5), desired(3))).toMatchObject({ number: 5, repeats: 3 });
    expect(existsSync(join(dir(), '000005.json'))).toBe(false);
    // The next daemon reads the index, not the files.
    rmSync(join(dir(), '000001.json'));
    expect((await openHistory(home, 10, (m) => warnings.push(m)).list()).map((g) => g.number)).toEqual([1, 2, 3, 5]);
    expect(warnings).toEqual([]);
  });

  it('a damaged index is rebuilt from the files, with a warning', async () => {
    const history = openHistory(home, 10, (m) => warnings.push(m));
    for (const n of [1, 2]) await history.record(info(n), desired(n));
    writeFileSync(join(dir(), 'index.json'), '{"version":1,"entr');
    const again = openHistory(home, 10, (m) => warnings.push(m));
    expect((await again.list()).map((g) => g.number)).toEqual([1, 2]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/history index .* is damaged; rebuilding it/);
  });

  it('prunes to the limit, removes the files, and later removes files a prune left behind', async () => {
    const history = openHistory(home, 2, () => undefined);
    for (const n of [1, 2, 3, 4]) await history.record(info(n), desired(n));
    expect((await history.list()).map((g) => g.number)).toEqual([3, 4]);
    expect(files()).toEqual(['000003.json', '000004.json']);
    const pruned = await history.rollbackSource(1, 'shop');
    expect(pruned).toEqual({ kind: 'pruned', project: 'shop', limit: 2 });
    // A daemon that died between writing the index and deleting a pruned file.
    legacy(2);
    await openHistory(home, 2, () => undefined).list();
    expect(files()).toEqual(['000003.json', '000004.json']);
  });

  it('rollbackSource of a repeat entry reads the generation it repeats', async () => {
    const history = openHistory(home, 10, () => undefined);
    await history.record(info(1), desired(1));
    await history.record(info(2), desired(1));
    expect(await history.rollbackSource(2)).toEqual({ kind: 'found', record: { info: info(1), desired: desired(1) } });
    expect(await history.rollbackSource(7)).toEqual({ kind: 'missing' });
  });
});
