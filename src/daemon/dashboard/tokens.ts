// The dashboard's tokens: 32 random bytes each, minted by every `orch dashboard`, and checked in
// constant time (an attacker timing the comparison learns nothing of the token).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const newToken = (): string => randomBytes(32).toString('hex');

// Both sides hashed first: timingSafeEqual needs equal lengths, and a length check would leak.
const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export const tokenMatches = (given: string, expected: string): boolean => timingSafeEqual(digest(given), digest(expected));

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export const bearerToken = (header: string | undefined): string | undefined => /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header ?? '')?.[1];

/** The tokens handed out while this dashboard runs; the oldest is dropped past `max`. */
export class TokenSet {
  private tokens: string[] = [];

  constructor(private readonly max = 16) {}

  mint(): string {
    const token = newToken();
    this.tokens = [...this.tokens, token].slice(-this.max);
    return token;
  }

  /** Compares against every token, without stopping at the first match. */
  accepts(given: string | undefined): boolean {
    if (given === undefined) return false;
    let found = false;
    for (const token of this.tokens) found = tokenMatches(given, token) || found;
    return found;
  }

  get size(): number {
    return this.tokens.length;
  }
}
