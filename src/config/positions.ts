// Where each node of the document is, so that problems found on plain values can be reported
// as `file:line:col`.
//
// Position rules (every Diagnostic follows them):
// - an unknown key, a duplicate key or an invalid key (a bad app name): the position of the KEY;
// - a wrong type, range, enum or pattern, an unset ${VAR}: the position of the VALUE; an empty
//   value (`port:` with nothing after it) points at its key instead;
// - a missing required key: the KEY of the map that lacks it (`api:` for apps.api.run), or
//   the start of the document's root map when the root lacks it (line 1 col 1 for an empty file);
// - a semantic error: the value that is wrong (the second app's `port` value, the bad
//   `depends_on` item); when the value comes from `defaults`, the value written there;
// - a YAML syntax error: where the parser stopped;
// - a node the index does not know (e.g. a key merged in with `<<`): its nearest known ancestor.
// Lines and columns are 1-based. A file that cannot be read has line 0 (no position).
import { type Document, type LineCounter, type Node, isAlias, isMap, isScalar, isSeq } from 'yaml';

interface NodePosition {
  /** Offset of the key, for map entries. */
  readonly key: number | undefined;
  /** Offset of the value, or undefined when the value is empty. */
  readonly value: number | undefined;
  /** The value is an unquoted scalar (interpolated text is then re-typed: see interpolate.ts). */
  readonly plain: boolean;
}

export interface PositionIndex {
  readonly nodes: ReadonlyMap<string, NodePosition>;
  /** Offset of the first key of the duplicate-key error at that offset -> path of the map. */
  readonly keyOwners: ReadonlyMap<number, readonly Segment[]>;
  readonly rootOffset: number;
  readonly lineCounter: LineCounter;
}

/** A key of a map (string) or an index of a list (number). */
export type Segment = string | number;

export const pathKey = (path: readonly Segment[]): string => path.map(String).join('\u0000');

export const buildPositionIndex = (doc: Document, lineCounter: LineCounter): PositionIndex => {
  const nodes = new Map<string, NodePosition>();
  const keyOwners = new Map<number, readonly Segment[]>();
  const root = doc.contents;
  const rootOffset = root?.range?.[0] ?? 0;
  const visit = (node: unknown, path: readonly Segment[], keyOffset: number | undefined): void => {
    const k = pathKey(path);
    // The first occurrence wins, like the first definition of a duplicate key.
    if (nodes.has(k)) return;
    const n = node as Node | null | undefined;
    const empty = n === null || n === undefined || (isScalar(n) && n.value === null && n.source === '');
    nodes.set(k, {
      key: keyOffset,
      value: empty ? undefined : n?.range?.[0],
      plain: isScalar(n) && n.type === 'PLAIN',
    });
    if (isAlias(n)) return;
    if (isMap(n)) {
      for (const pair of n.items) {
        const name = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const offset = (pair.key as Node | null)?.range?.[0];
        if (offset !== undefined) keyOwners.set(offset, [...path, name]);
        visit(pair.value, [...path, name], offset);
      }
    } else if (isSeq(n)) {
      n.items.forEach((item, i) => visit(item, [...path, i], undefined));
    }
  };
  visit(root, [], undefined);
  return { nodes, keyOwners, rootOffset, lineCounter };
};

export const lineCol = (index: PositionIndex, offset: number): { line: number; col: number } => {
  const { line, col } = index.lineCounter.linePos(offset);
  return { line: Math.max(line, 1), col: Math.max(col, 1) };
};

export const positionOf = (
  index: PositionIndex,
  path: readonly Segment[],
  at: 'key' | 'value',
): { line: number; col: number } => {
  for (let n = path.length; n >= 0; n--) {
    const node = index.nodes.get(pathKey(path.slice(0, n)));
    if (node === undefined) continue;
    // A known ancestor of an unknown node: point at the ancestor's key, where the reader looks.
    const wanted = n < path.length ? 'key' : at;
    const offset =
      wanted === 'key' ? (node.key ?? node.value) : (node.value ?? node.key);
    if (offset !== undefined) return lineCol(index, offset);
    if (n === 0) break;
  }
  return lineCol(index, index.rootOffset);
};

export const isPlainScalar = (index: PositionIndex, path: readonly Segment[]): boolean =>
  index.nodes.get(pathKey(path))?.plain ?? false;
