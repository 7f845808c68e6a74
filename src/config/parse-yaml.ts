// Text -> plain value plus the position of every node. YAML errors (syntax, duplicate keys,
// alias bombs) come back as Problems positioned like every other error.
import { LineCounter, parseDocument } from 'yaml';
import { type PositionIndex, buildPositionIndex, lineCol } from './positions.js';

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
    const errors = doc.errors.map((e): YamlError => {
      const at = lineCol(positions, e.pos[0]);
      if (e.code === 'DUPLICATE_KEY') {
        const owner = positions.keyOwners.get(e.pos[0]);
        const name = owner?.[owner.length - 1];
        if (owner !== undefined) {
          return { ...at, path: owner.map(String).join('.'), message: `duplicate key '${String(name)}'` };
        }
      }
      return { ...at, path: '', message: `YAML syntax error: ${firstLine(e.message)}` };
    });
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

const firstLine = (s: string): string => (s.split('\n')[0] ?? s).replace(/\s*at line \d+, column \d+:?\s*$/, '');
