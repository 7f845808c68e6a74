// Problems are found by pure steps that know document paths, not file positions; they become
// Diagnostics (file, line, col) in one place, against the position index of the parsed file.
import type { Diagnostic } from './desired.js';
import { type PositionIndex, positionOf, type Segment } from './positions.js';

// Segments are the position index's (it is read first); problems name paths with them too.
export type { Segment };

export interface Problem {
  /** Path of the node the problem is about; shown dotted in the Diagnostic. */
  readonly path: readonly Segment[];
  /** Which position of that node the Diagnostic points at (see positions.ts). */
  readonly at: 'key' | 'value';
  readonly message: string;
  /**
   * The document path whose value the problem makes unusable (a wrong type, a missing required
   * key): it is left out before normalizing, and semantic checks that read it stay quiet.
   * Undefined when every value stays usable (an unknown key is simply ignored).
   */
  readonly invalidates?: readonly Segment[];
}

export const dottedPath = (path: readonly Segment[]): string => path.map(String).join('.');

export const problem = (
  path: readonly Segment[],
  at: 'key' | 'value',
  message: string,
  invalidates?: readonly Segment[],
): Problem => (invalidates === undefined ? { path, at, message } : { path, at, message, invalidates });

/** Positions every problem, drops duplicates (one default shared by many apps) and sorts. */
export const toDiagnostics = (
  file: string,
  problems: readonly Problem[],
  positions: PositionIndex,
): Diagnostic[] => {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const p of problems) {
    const { line, col } = positionOf(positions, p.path, p.at);
    const d: Diagnostic = { file, line, col, path: dottedPath(p.path), message: p.message };
    const key = `${line}:${col}:${d.path}:${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return sortDiagnostics(out);
};

export const sortDiagnostics = (ds: readonly Diagnostic[]): Diagnostic[] =>
  [...ds].sort(
    (a, b) =>
      a.line - b.line ||
      a.col - b.col ||
      (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
      (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
  );

/** A value shown in a message: strings quoted and shortened, collections named. */
export const showValue = (value: unknown): string => {
  if (value === null || value === undefined) return 'an empty value';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') {
    const s = value.length > 40 ? `${value.slice(0, 37)}...` : value;
    return JSON.stringify(s);
  }
  return String(value);
};
