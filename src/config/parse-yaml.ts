// Text -> plain value plus the position of every node. YAML errors (syntax, duplicate keys,
// alias bombs) come back as Problems positioned like every other error.
import { LineCounter, parseDocument } from 'yaml';
import { type PositionIndex, buildPositionIndex, lineCol, pathKey } from './positions.js';

export interface YamlError {
  readonly line: number;
  readonly col: number;
  readonly path: string;
  readonly message: string;
}

export type ParsedYaml =
  | { readonly ok: true; readonly value: unknown; readonly positions: PositionIndex }
  | { readonly ok: false; readonly errors: readonly YamlError[]; readonly positions: PositionIndex };

export const parseYaml = (text: string): ParsedYaml => {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    keepSourceTokens: true,
    prettyErrors: false,
    uniqueKeys: true,
    // `<<: *base` merges like YAML 1.1, a habit of docker-compose users.
    merge: true,
  });
  const positions = buildPositionIndex(doc, lineCounter);
  if (doc.errors.length > 0) {
    const errors: YamlError[] = [];
    for (const e of doc.errors) {
      const error = yamlError(e.code, e.pos[0], e.message, positions);
      // One mistake often trips several parser rules at the same spot: the first one is enough.
      if (!errors.some((x) => x.line === error.line && x.col === error.col)) errors.push(error);
    }
    return { ok: false, errors, positions };
  }
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: 1000 }), positions };
  } catch (e) {
    // toJS throws on alias bombs and alias cycles; the file is still the user's mistake.
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, errors: [{ line: 1, col: 1, path: '', message: `YAML error: ${firstLine(message)}` }], positions };
  }
};

const yamlError = (code: string, offset: number, message: string, positions: PositionIndex): YamlError => {
  const at = lineCol(positions, offset);
  if (code === 'DUPLICATE_KEY') {
    const owner = positions.keyOwners.get(offset);
    if (owner !== undefined) {
      const first = positions.nodes.get(pathKey(owner))?.key;
      const where = first !== undefined && first !== offset ? ` (first defined at line ${lineCol(positions, first).line})` : '';
      return { ...at, path: owner.map(String).join('.'), message: `duplicate key '${String(owner[owner.length - 1])}'${where}` };
    }
  }
  if (code === 'MULTIPLE_DOCS') {
    return { ...at, path: '', message: "YAML syntax error: the file must hold one document, remove the '---' separator" };
  }
  return { ...at, path: '', message: `YAML syntax error: ${firstLine(message)}` };
};

const firstLine = (s: string): string => (s.split('\n')[0] ?? s).replace(/\s*at line \d+, column \d+:?\s*$/, '');
