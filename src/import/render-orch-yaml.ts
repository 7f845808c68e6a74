// The imported document as YAML text: the `$schema` line first (editors complete and explain
// every key), then the file, with a comment at every key the import approximated. Pure.
import { Document, isMap, isScalar, type Pair, type YAMLMap } from 'yaml';
import type { DocComment, OrchDocument } from './pm2-map.js';

export interface RenderOptions {
  /** Where the schema is, as the `$schema` line should say it (relative to the written file). */
  readonly schema: string;
  /** Lines said at the top, after the `$schema` line. */
  readonly header: readonly string[];
}

const pairAt = (doc: Document, path: readonly string[]): Pair | undefined => {
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  if (!isMap(parent)) return undefined;
  return (parent as YAMLMap).items.find((p) => isScalar(p.key) && p.key.value === path.at(-1));
};

export const renderOrchYaml = (document: OrchDocument, comments: readonly DocComment[], options: RenderOptions): string => {
  const doc = new Document(document);
  const byPath = new Map<string, { path: readonly string[]; texts: string[] }>();
  for (const c of comments) {
    const key = c.path.join('\u0000');
    const entry = byPath.get(key) ?? { path: c.path, texts: [] };
    if (!entry.texts.includes(c.text)) entry.texts.push(c.text);
    byPath.set(key, entry);
  }
  for (const { path, texts } of byPath.values()) {
    const pair = pairAt(doc, path);
    if (pair === undefined) continue;
    const text = texts.map((t) => ` ${t}`).join('\n');
    // A scalar takes the comment on its line; a map or list above its key.
    if (isScalar(pair.value) && !text.includes('\n')) pair.value.comment = text;
    else if (isScalar(pair.key)) pair.key.commentBefore = text;
  }
  doc.commentBefore = [` yaml-language-server: $schema=${options.schema}`, ...options.header.map((l) => ` ${l}`)].join('\n');
  return doc.toString({ lineWidth: 0 });
};
