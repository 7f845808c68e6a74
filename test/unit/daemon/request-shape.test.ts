// The params check the server runs before any handler: what the loader produces passes, and each
// kind of malformation is named by its path. Also the figure behind MAX_REQUEST_BYTES.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DesiredState } from '../../../src/config/desired.js';
import { loadEcosystem } from '../../../src/config/load.js';
import { MAX_REQUEST_BYTES } from '../../../src/daemon/protocol.js';
import { paramsProblem } from '../../../src/daemon/request-shape.js';

const worker = join(import.meta.dirname, '../../fixtures/e2e/worker.js');
const env = { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, HOME: '/root', LANG: 'C.UTF-8' };

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'orch-shape-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const load = async (yaml: string): Promise<DesiredState> => {
  const file = join(dir, 'ecosystem.yaml');
  writeFileSync(file, yaml);
  const r = await loadEcosystem(file, { env, cpus: 2 });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return JSON.parse(JSON.stringify(r.desired)) as DesiredState; // as it crosses the socket
};

const rich = `version: 1
name: shop
apps:
  api:
    run: node ${worker}
    port: 4100
    mode: cluster
    instances: 2
    env: { A: '1' }
    ready: { type: http, path: /health }
    watch: true
    max_memory: 200M
  jobs:
    run: echo hi && sleep 100
    shell: true
    depends_on: [api]
    restart: { policy: on-failure }
`;

describe('paramsProblem', () => {
  it('accepts what the loader produces, and the other methods their own params', async () => {
    const desired = await load(rich);
    expect(paramsProblem('apply', { desired })).toBeUndefined();
    expect(paramsProblem('apply', { desired, source: { commit: 'abc', dirty: true } })).toBeUndefined();
    expect(paramsProblem('hello', {})).toBeUndefined();
    expect(paramsProblem('history', {})).toBeUndefined();
    expect(paramsProblem('rollback', { number: 3, project: 'shop' })).toBeUndefined();
    expect(paramsProblem('reload', { app: 'api', reason: 'src/a.js changed' })).toBeUndefined();
  });

  it.each<[string, (d: Record<string, unknown>) => unknown, RegExp]>([
    ['no desired', () => ({}), /^params\.desired: expected an object, got undefined$/],
    ['apps not an array', (d) => ({ desired: { ...d, apps: {} } }), /^params\.desired\.apps: expected an array/],
    ['an app missing its command', (d) => ({ desired: withApp(d, { command: undefined }) }), /^params\.desired\.apps\[0\]\.command: expected a non-empty array/],
    ['a negative instance count', (d) => ({ desired: withApp(d, { instances: -1 }) }), /apps\[0\]\.instances: expected an integer from 0/],
    ['an unknown mode', (d) => ({ desired: withApp(d, { mode: 'fleet' }) }), /apps\[0\]\.mode: expected one of fork, cluster, socket, got "fleet"/],
    ['a port out of range', (d) => ({ desired: withApp(d, { port: 70000 }) }), /apps\[0\]\.port: expected an integer from 0 to 65535, got 70000/],
    ['an env value not a string', (d) => ({ desired: withApp(d, { env: { A: 1 } }) }), /apps\[0\]\.env\.A: expected a string, got number/],
    ['a nested field missing', (d) => ({ desired: withApp(d, { restart: { policy: 'always' } }) }), /apps\[0\]\.restart\.backoff: expected an object/],
    ['an app of another project', (d) => ({ desired: withApp(d, { project: 'other' }) }), /apps\[0\]\.project: expected 'shop'/],
    ['a duplicated app name', (d) => ({ desired: { ...d, apps: [(d.apps as unknown[])[0], (d.apps as unknown[])[0]] } }), /the app name 'api' appears twice/],
    ['a source commit not a string', (d) => ({ desired: d, source: { commit: 1 } }), /^params\.source\.commit: expected a string/],
  ])('apply: %s', async (_, mutate, message) => {
    const desired = (await load(rich)) as unknown as Record<string, unknown>;
    expect(paramsProblem('apply', mutate(desired))).toMatch(message);
  });

  it.each<[Parameters<typeof paramsProblem>[0], unknown, RegExp]>([
    ['hello', null, /^params: expected an object, got null$/],
    ['status', [], /^params: expected an object, got an array$/],
    ['stop', { app: 5 }, /^params\.app: expected a non-empty string, got number$/],
    ['delete', { app: '' }, /^params\.app: expected a non-empty string/],
    ['rollback', { number: 0 }, /^params\.number: expected an integer from 1/],
    ['rollback', { number: 1.5 }, /^params\.number: expected an integer/],
    ['down', { project: {} }, /^params\.project: expected a non-empty string, got object$/],
    // An inherited property is not a param: `{}` has a `constructor`, but no `app`.
    ['stop', Object.create({ app: 'w' }) as unknown, /^params\.app: expected a non-empty string, got undefined$/],
  ])('%s %j', (method, params, message) => {
    expect(paramsProblem(method, params)).toMatch(message);
  });

  it(`an apply of 2,000 apps with env fits MAX_REQUEST_BYTES (${MAX_REQUEST_BYTES} bytes) four times over`, async () => {
    let yaml = 'version: 1\nname: big\napps:\n';
    for (let i = 0; i < 2000; i++) {
      yaml += `  app-${i}:\n    run: node ${worker} --port ${3000 + i}\n    env: { NODE_ENV: production, DATABASE_URL: 'postgres://user:pass@db.internal:5432/app_${i}', FLAGS: 'a,b,c,d,e,f' }\n`;
    }
    const desired = await load(yaml);
    expect(paramsProblem('apply', { desired })).toBeUndefined();
    const bytes = Buffer.byteLength(JSON.stringify({ v: 1, id: 1, method: 'apply', params: { desired } }));
    expect(bytes).toBeLessThan(MAX_REQUEST_BYTES / 4);
  });
});

const withApp = (d: Record<string, unknown>, change: Record<string, unknown>) => {
  const [first, ...rest] = d.apps as Record<string, unknown>[];
  return { ...d, apps: [{ ...first, ...change }, ...rest] };
};
