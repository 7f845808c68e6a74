import { describe, expect, it } from 'vitest';
import type { GenerationRecord } from '../../../src/daemon/history.js';
import { rollbackTarget, unknownProjectError } from '../../../src/daemon/history.js';

const record = (number: number, project: string) => ({ info: { number, project } }) as unknown as GenerationRecord;

describe('unknownProjectError', () => {
  it.each([
    { project: 'shop', known: ['shop', 'blog'], error: undefined },
    { project: 'nope', known: ['shop', 'blog', 'shop'], error: "no project named 'nope' (known: blog, shop)" },
    { project: 'nope', known: [], error: "no project named 'nope' (known: none)" },
  ])('$project among $known', ({ project, known, error }) => {
    const e = unknownProjectError(project, known);
    expect(e?.message).toBe(error);
    if (e) expect(e.code).toBe('ORCH_UNKNOWN_PROJECT');
  });
});

describe('rollbackTarget', () => {
  it.each([
    { number: 2, found: record(2, 'shop'), project: undefined, error: undefined },
    { number: 2, found: record(2, 'shop'), project: 'shop', error: undefined },
    { number: 2, found: record(2, 'blog'), project: 'shop', error: "generation 2 belongs to project 'blog', not 'shop'" },
    { number: 9, found: undefined, project: 'shop', error: "no generation 9 (see 'orch history')" },
    { number: 9, found: undefined, project: undefined, error: "no generation 9 (see 'orch history')" },
  ])('generation $number, --project $project', ({ number, found, project, error }) => {
    const r = rollbackTarget(number, found, project);
    if (error === undefined) {
      expect(r).toEqual({ ok: true, record: found });
    } else {
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error.message).toBe(error);
      expect(r.error.code).toBe('ORCH_UNKNOWN_GENERATION');
    }
  });
});

describe('rollbackTarget of a pruned generation', () => {
  it.each([
    { owner: 'shop', project: undefined, error: "generation 5 was pruned (ORCH_HISTORY_LIMIT=100 keeps the newest 100 of project 'shop')" },
    { owner: 'shop', project: 'shop', error: "generation 5 was pruned (ORCH_HISTORY_LIMIT=100 keeps the newest 100 of project 'shop')" },
    { owner: 'blog', project: 'shop', error: "generation 5 belongs to project 'blog', not 'shop'" },
    { owner: undefined, project: 'shop', error: "generation 5 was pruned (ORCH_HISTORY_LIMIT=100 keeps the newest 100 of project 'shop')" },
    { owner: undefined, project: undefined, error: 'generation 5 was pruned (ORCH_HISTORY_LIMIT=100 keeps the newest 100 of each project)' },
  ])('pruned from $owner, --project $project', ({ owner, project, error }) => {
    const r = rollbackTarget(5, { pruned: true, project: owner, limit: 100 }, project);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.message).toBe(error);
    expect(r.error.code).toBe('ORCH_UNKNOWN_GENERATION');
  });
});
