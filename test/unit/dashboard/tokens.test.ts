import { describe, expect, it } from 'vitest';
import { bearerToken, newToken, TokenSet, tokenMatches } from '../../../src/daemon/dashboard/tokens.js';

describe('tokens', () => {
  it('are 32 random bytes in hex, never twice the same', () => {
    const tokens = new Set(Array.from({ length: 100 }, newToken));
    expect(tokens.size).toBe(100);
    for (const t of tokens) expect(t).toMatch(/^[0-9a-f]{64}$/);
  });

  it('match only themselves, whatever the length of the guess', () => {
    const t = newToken();
    expect(tokenMatches(t, t)).toBe(true);
    expect(tokenMatches(t.slice(0, 63), t)).toBe(false);
    expect(tokenMatches(`${t}0`, t)).toBe(false);
    expect(tokenMatches('', t)).toBe(false);
  });

  it('a set accepts every token it minted, up to its bound', () => {
    const set = new TokenSet(3);
    const minted = [set.mint(), set.mint(), set.mint(), set.mint()];
    expect(set.size).toBe(3);
    expect(minted.map((t) => set.accepts(t))).toEqual([false, true, true, true]);
    expect(set.accepts(undefined)).toBe(false);
    expect(set.accepts(newToken())).toBe(false);
  });

  it.each([
    ['Bearer abc123', 'abc123'],
    ['bearer abc123', undefined],
    ['Bearer', undefined],
    ['Basic abc', undefined],
    ['Bearer a b', undefined],
    [undefined, undefined],
  ])('reads %j as %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });
});
