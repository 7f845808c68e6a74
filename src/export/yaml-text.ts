// YAML as the exporters write it: keys sorted at every level and no line folding, so the same
// file always exports to the same bytes (a GitOps repo can commit and diff the output).
import { stringify } from 'yaml';

// WARNING: kubectl (go-yaml) and docker-compose (PyYAML) read YAML 1.1, where an unquoted
// `yes`, `on` or `no` is a boolean: writing as 1.1 quotes every such string.
export const stableYaml = (doc: unknown): string =>
  stringify(doc, { sortMapEntries: true, lineWidth: 0, aliasDuplicateObjects: false, version: '1.1' });

/** Several documents as one stream, `---` between them. */
export const yamlStream = (docs: readonly unknown[]): string => docs.map(stableYaml).join('---\n');
