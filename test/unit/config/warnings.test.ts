// Warnings (SPEC §9): valid but probably not meant, positioned like errors, never a refusal.
import { describe, expect, it } from 'vitest';
import { formatWarning } from '../../../src/config/desired.js';
import { loadYaml } from './helpers.js';

const WAITS =
  "cluster app with no port: readiness waits for each worker's 'listening' event, and a worker that does not listen fails after ready.timeout";
const FIX = "set 'port', or ready.type 'message' or 'none'";

const warningsOf = async (yaml: string): Promise<{ ok: boolean; warnings: string[] }> => {
  const result = await loadYaml(yaml);
  return { ok: result.ok, warnings: result.warnings.map((d) => formatWarning({ ...d, file: 'ecosystem.yaml' })) };
};

describe('a cluster app with no port', () => {
  it.each([
    ['listening by default: at the mode', 'apps:\n  a:\n    run: node a.js\n    mode: cluster\n', [
      `warning: ecosystem.yaml:5:11: apps.a.mode: ${WAITS} (30s); ${FIX}`,
    ]],
    ['listening written: at the ready type, with its timeout', 'apps:\n  a:\n    run: node a.js\n    mode: cluster\n    ready: { type: listening, timeout: 1500ms }\n', [
      `warning: ecosystem.yaml:6:20: apps.a.ready.type: ${WAITS} (1500ms); ${FIX}`,
    ]],
    ['mode cluster in defaults: once, at defaults', 'defaults:\n  mode: cluster\napps:\n  a:\n    run: node a.js\n  b:\n    run: node s.js\n', [
      `warning: ecosystem.yaml:3:9: defaults.mode: ${WAITS} (30s); ${FIX}`,
    ]],
    ['with a port: none', 'apps:\n  a:\n    run: node a.js\n    mode: cluster\n    port: 3000\n', []],
    ['ready message: none', 'apps:\n  a:\n    run: node a.js\n    mode: cluster\n    ready: { type: message }\n', []],
    ['fork mode: none', 'apps:\n  a:\n    run: node a.js\n', []],
  ])('%s', async (_name, apps, expected) => {
    const r = await warningsOf(`version: 1\n${apps}`);
    expect(r).toEqual({ ok: true, warnings: expected });
  });

  it('an invalid file still carries its warnings; an app that cannot run in cluster mode gets the error only', async () => {
    const r = await warningsOf('version: 1\napps:\n  a:\n    run: node a.js\n    mode: cluster\n  b:\n    run: nosuch\n    mode: cluster\n');
    expect(r).toEqual({ ok: false, warnings: [`warning: ecosystem.yaml:5:11: apps.a.mode: ${WAITS} (30s); ${FIX}`] });
  });
});
