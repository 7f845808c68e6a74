import { describe, expect, it } from 'vitest';
import { editDistance, NEVER_SUGGESTED, suggestionFor } from '../../../src/cli/suggest.js';

const verbs = ['validate', 'diff', 'apply', 'status', 'ls', 'list', 'describe', 'show', 'info', 'scale', 'stop', 'start', 'restart', 'reload', 'delete', 'down', 'logs', 'flush', 'history', 'rollback', 'startup', 'top', 'monit', 'completion', 'daemon'];

describe('suggestionFor', () => {
  it.each([
    ['aply', 'apply'],
    ['stauts', 'status'],
    ['relaod', 'reload'],
    ['describ', 'describe'],
    ['lgos', 'logs'],
  ])('%s → %s', (word, expected) => {
    expect(suggestionFor(word, verbs)).toBe(`\n(Did you mean ${expected}?)`);
  });

  it.each(['stpo', 'stp', 'delte', 'dwn', 'flsh', 'restat', 'scal', 'rollbak', 'shop', 'tops'])('%s never gets a verb that stops or deletes', (word) => {
    const s = suggestionFor(word, verbs);
    for (const bad of NEVER_SUGGESTED) expect(s).not.toContain(`mean ${bad}?`);
  });

  it('says nothing for a word close to nothing', () => {
    expect(suggestionFor('frobnicate', verbs)).toBe('');
  });
});

describe('editDistance', () => {
  it.each([
    ['stauts', 'status', 1],
    ['aply', 'apply', 1],
    ['', 'ls', 2],
    ['top', 'stop', 1],
    ['same', 'same', 0],
  ])('%s → %s: %i', (a, b, n) => {
    expect(editDistance(a, b)).toBe(n);
  });
});
