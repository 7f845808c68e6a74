// Pointers for keys PM2 users write from habit (SPEC §9); examples/invalid/55 and 56 show them
// in whole messages.
import { describe, expect, it } from 'vitest';
import { pm2KeyHint, pm2ValueHint } from '../../../src/config/pm2-hints.js';
import { errorsOf } from './helpers.js';

describe('pm2KeyHint', () => {
  it.each([
    ['script', 'app.js', "orch calls it 'run' (run: app.js)"],
    ['exec_mode', 'fork_mode', "orch calls it 'mode' (mode: fork; PM2's cluster_mode is cluster, fork_mode is fork)"],
    ['kill_timeout', 1600, "orch calls it 'timeout' under 'shutdown' (shutdown: { timeout: 1600 })"],
    ['autorestart', true, "orch calls it 'policy' under 'restart' (restart: { policy: always })"],
    ['restart_delay', '2s', "orch calls it 'initial' under 'restart.backoff' (restart: { backoff: { initial: 2s } })"],
    ['ignore_watch', ['node_modules', '*.log'], 'orch calls it \'ignore\' under \'watch\' (watch: { ignore: [node_modules, "*.log"] })'],
    ['args', ['--port', '3000'], "orch takes the arguments in 'run', after the script (run: <script> --port 3000)"],
    ['env_staging', {}, "orch has one 'env' per app: write one file per environment, or fill values with ${VAR} interpolation"],
    ['colour', 'red', undefined],
    ['constructor', 1, undefined],
  ])('%s', (key, value, expected) => {
    expect(pm2KeyHint(key, value, 'api')).toBe(expected);
  });

  it('names the app under apps only', () => {
    expect(pm2KeyHint('name', 'x', 'api')).toBe("orch takes an app's name from its key under 'apps' (here 'api')");
    expect(pm2KeyHint('name', 'x', undefined)).toBe("orch takes an app's name from its key under 'apps'");
  });

  it('instances: -1 only', () => {
    expect(pm2ValueHint('instances', -1)).toMatch(/^PM2's -1 means all CPUs but one/);
    expect(pm2ValueHint('instances', -2)).toBeUndefined();
    expect(pm2ValueHint('port', -1)).toBeUndefined();
  });
});

describe('in messages', () => {
  it('applies to app maps and defaults, not to nested maps or the top level', async () => {
    expect(
      await errorsOf('version: 1\nscript: x\napps:\n  a:\n    run: x\n    ready: { script: y }\n'),
    ).toEqual([
      "ecosystem.yaml:2:1: script: unknown key 'script'",
      "ecosystem.yaml:6:14: apps.a.ready.script: unknown key 'script'",
    ]);
  });
});
