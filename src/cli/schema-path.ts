// Where this orch's copy of schemas/ecosystem.schema.json is, for the `$schema` line of the files
// `orch import` and `orch init` write: next to dist/ in a package, at the root of a clone.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const schemaPath = (): string => {
  // From dist/, dist/chunks/ (bundled) or src/cli/ (tests): the first parent that holds schemas/.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 5; depth++) {
    const candidate = join(dir, 'schemas', 'ecosystem.schema.json');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('schemas/ecosystem.schema.json not found next to orch');
};
