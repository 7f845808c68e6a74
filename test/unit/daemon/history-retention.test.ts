import { describe, expect, it } from 'vitest';
import type { HistoryIndex, IndexEntry } from '../../../src/daemon/history-retention.js';
import {
  DEFAULT_HISTORY_LIMIT,
  emptyIndex,
  historyLimit,
  lookupGeneration,
  MAX_TOMBSTONES,
  prunedMessage,
  pruneGenerations,
  repeatedGeneration,
  withGeneration,
} from '../../../src/daemon/history-retention.js';

/** `shop:3`, `shop:4>3` (4 repeats 3), content after `=`: `shop:5=b`. */
const entry = (spec: string): IndexEntry => {
  const m = /^(\w+):(\d+)(?:>(\d+))?(?:=(\w+))?$/.exec(spec);
  if (!m) throw new Error(spec);
  const [, project, number, repeats, content] = m;
  return {
    number: Number(number),
    project: project!,
    time: 0,
    file: `/${project}.yaml`,
    hash: 'h',
    summary: { create: 0, change: 0, delete: 0 },
    ...(repeats === undefined ? {} : { repeats: Number(repeats) }),
    content: content ?? 'a',
  };
};
const entries = (specs: string): IndexEntry[] => specs.split(' ').filter(Boolean).map(entry);
const numbers = (es: readonly IndexEntry[]) => es.map((e) => e.number);

describe('historyLimit', () => {
  it.each([
    { raw: undefined, limit: DEFAULT_HISTORY_LIMIT, warns: false },
    { raw: '', limit: DEFAULT_HISTORY_LIMIT, warns: false },
    { raw: '7', limit: 7, warns: false },
    { raw: ' 1 ', limit: 1, warns: false },
    { raw: '0', limit: DEFAULT_HISTORY_LIMIT, warns: true },
    { raw: '-3', limit: DEFAULT_HISTORY_LIMIT, warns: true },
    { raw: '2.5', limit: DEFAULT_HISTORY_LIMIT, warns: true },
    { raw: 'lots', limit: DEFAULT_HISTORY_LIMIT, warns: true },
  ])('ORCH_HISTORY_LIMIT=$raw', ({ raw, limit, warns }) => {
    const r = historyLimit(raw);
    expect(r.limit).toBe(limit);
    expect(r.warning !== undefined).toBe(warns);
  });
});

describe('repeatedGeneration (the dedupe decision)', () => {
  it.each([
    { history: '', content: 'a', repeats: undefined, why: 'nothing to repeat' },
    { history: 'shop:1=a', content: 'a', repeats: 1, why: 'same content as the newest full generation' },
    { history: 'shop:1=a', content: 'b', repeats: undefined, why: 'a change' },
    { history: 'shop:1=a shop:2=b', content: 'a', repeats: undefined, why: 'only the newest full generation counts (a step back is a change)' },
    { history: 'shop:1=a shop:2>1=a', content: 'a', repeats: 1, why: 'a repeat entry is skipped for the generation it repeats' },
    { history: 'shop:1=a blog:2=b', content: 'a', repeats: 1, why: "another project's generations do not count" },
    { history: 'blog:1=a', content: 'a', repeats: undefined, why: 'the same content in another project is no repeat' },
  ])('$why', ({ history, content, repeats }) => {
    expect(repeatedGeneration(entries(history), 'shop', content)).toBe(repeats);
  });
});

describe('pruneGenerations', () => {
  it.each([
    { history: 'shop:1 shop:2 shop:3', limit: 3, kept: [1, 2, 3] },
    { history: 'shop:1 shop:2 shop:3 shop:4', limit: 3, kept: [2, 3, 4] },
    { history: 'shop:1 blog:2 shop:3 blog:4 shop:5', limit: 1, kept: [2, 4, 5], why: 'only the project recorded is pruned' },
    { history: 'shop:1 shop:2>1 shop:3>1', limit: 2, kept: [1, 2, 3], why: 'a full generation repeated by a kept entry stays' },
    { history: 'shop:1 shop:2>1 shop:3 shop:4', limit: 2, kept: [3, 4], why: 'an old repeat entry goes, and its generation with it' },
    { history: 'shop:1 shop:2', limit: 100, kept: [1, 2] },
  ])('$history, limit $limit', ({ history, limit, kept }) => {
    const all = entries(history);
    const r = pruneGenerations(all, 'shop', limit);
    expect(numbers(r.kept)).toEqual(kept);
    expect(numbers(r.pruned)).toEqual(numbers(all).filter((n) => !kept.includes(n)));
  });
});

describe('withGeneration and lookupGeneration', () => {
  const record = (index: HistoryIndex, specs: string, limit: number) =>
    entries(specs).reduce((i, e) => withGeneration(i, e, limit).index, index);

  it('remembers what it pruned, and whose it was', () => {
    const index = record(emptyIndex(), 'shop:1 blog:2 shop:3 shop:4 blog:5', 1);
    expect(numbers(index.entries)).toEqual([4, 5]);
    expect(lookupGeneration(index, 4)).toMatchObject({ kind: 'listed', entry: { number: 4 }, full: { number: 4 } });
    expect(lookupGeneration(index, 1)).toEqual({ kind: 'pruned', project: 'shop' });
    expect(lookupGeneration(index, 2)).toEqual({ kind: 'pruned', project: 'blog' });
    expect(lookupGeneration(index, 9)).toEqual({ kind: 'missing' });
    expect(index.prunedThrough).toEqual({ shop: 3, blog: 2 });
  });

  it('resolves a repeat entry to the full generation it repeats', () => {
    const index = record(emptyIndex(), 'shop:1 shop:2>1', 5);
    expect(lookupGeneration(index, 2)).toMatchObject({ kind: 'listed', entry: { number: 2, repeats: 1 }, full: { number: 1 } });
  });

  it('keeps at most MAX_TOMBSTONES, and still tells a pruned number older than them', () => {
    const many = Array.from({ length: MAX_TOMBSTONES + 10 }, (_, k) => `shop:${k + 1}`).join(' ');
    const index = record(emptyIndex(), `${many} blog:${MAX_TOMBSTONES + 11}`, 1);
    expect(index.pruned).toHaveLength(MAX_TOMBSTONES);
    expect(lookupGeneration(index, 3)).toEqual({ kind: 'pruned', project: 'shop' });
  });

  it('cannot always tell the owner of a number older than the tombstones', () => {
    const index: HistoryIndex = { ...emptyIndex(), prunedThrough: { shop: 10, blog: 10 } };
    expect(lookupGeneration(index, 3)).toEqual({ kind: 'pruned', project: undefined });
    expect(lookupGeneration(index, 3, 'blog')).toEqual({ kind: 'pruned', project: 'blog' });
  });
});

describe('prunedMessage', () => {
  it.each([
    { project: 'shop', text: "generation 5 was pruned (ORCH_HISTORY_LIMIT=100 keeps the newest 100 of project 'shop')" },
    { project: undefined, text: 'generation 5 was pruned (ORCH_HISTORY_LIMIT=100 keeps the newest 100 of each project)' },
  ])('$project', ({ project, text }) => {
    expect(prunedMessage(5, project, 100)).toBe(text);
  });
});
