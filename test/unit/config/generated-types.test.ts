// The TypeScript types of the file are generated from the schema by scripts/build.mjs
// (json-schema-to-typescript), and the validator is compiled from the same schema, so the two
// cannot drift apart by construction. These checks only guard the generation itself: a fully
// populated file type-checks against EcosystemFile (tsc fails otherwise) and validates, and
// every property the schema names appears in the generated types.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EcosystemFile } from '../../../src/generated/ecosystem-file.js';
import { validateSchema } from '../../../src/config/validate-schema.js';

const root = join(import.meta.dirname, '../../..');

const full = {
  version: 1,
  name: 'shop',
  defaults: { shutdown: { timeout: '5s' }, env: { LOG: 'info' } },
  apps: {
    api: {
      run: 'node server.js',
      shell: false,
      cwd: './services/api',
      instances: 4,
      mode: 'cluster',
      port: 8080,
      protocol: 'tcp',
      env: { NODE_ENV: 'production', WORKERS: 4, DEBUG: false },
      env_file: '.env',
      inherit_env: ['AWS_PROFILE'],
      restart: {
        policy: 'always',
        backoff: { initial: '100ms', max: '30s', factor: 2 },
        max_restarts: 10,
        window: '60s',
        min_uptime: 1000,
      },
      shutdown: { signal: 'SIGTERM', timeout: '5s' },
      ready: { type: 'http', path: '/healthz', timeout: '30s', delay: '1s' },
      reload: { max_surge: 1, max_unavailable: 0 },
      watch: { paths: ['src'], ignore: ['node_modules', '**/*.log'], debounce: '200ms' },
      depends_on: ['db'],
      role: 'agent',
      max_memory: '512M',
      export: { image: 'shop/api:1', kubernetes: { image: 'registry/shop-api:1', namespace: 'shop', labels: { team: 'web' } } },
    },
    db: { run: ['postgres', '-D', './data'], instances: 'max', port: '${DB_PORT}', watch: true },
  },
} satisfies EcosystemFile;

const schemaKeys = (schema: unknown, keys = new Set<string>()): Set<string> => {
  if (Array.isArray(schema)) for (const s of schema) schemaKeys(s, keys);
  else if (schema !== null && typeof schema === 'object') {
    for (const [k, v] of Object.entries(schema)) {
      if (k === 'properties') for (const p of Object.keys(v as object)) keys.add(p);
      schemaKeys(v, keys);
    }
  }
  return keys;
};

describe('generated types', () => {
  it('a fully populated file satisfies EcosystemFile and the schema', () => {
    expect(validateSchema(full)).toEqual([]);
  });

  it('name every property of the schema', () => {
    const schema: unknown = JSON.parse(readFileSync(join(root, 'schemas/ecosystem.schema.json'), 'utf8'));
    const generated = readFileSync(join(root, 'src/generated/ecosystem-file.ts'), 'utf8');
    const keys = [...schemaKeys(schema)];
    expect(keys.length).toBeGreaterThan(30);
    for (const key of keys) expect(generated, key).toMatch(new RegExp(`\\b${key}\\?*:`));
  });

  it('the fully populated sample uses every property of the schema', () => {
    const schema: unknown = JSON.parse(readFileSync(join(root, 'schemas/ecosystem.schema.json'), 'utf8'));
    const used = new Set<string>();
    const collect = (v: unknown): void => {
      if (v === null || typeof v !== 'object') return;
      for (const [k, inner] of Object.entries(v)) {
        used.add(k);
        collect(inner);
      }
    };
    collect(full);
    expect([...schemaKeys(schema)].filter((k) => !used.has(k))).toEqual([]);
  });
});
