// `orch init [script]` through the built binary: a starter file that validates (and applies),
// never written over an existing one without --force.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, httpGet } from '../helpers/ports.js';
import { sandboxPerTest } from '../helpers/sandbox-per-test.js';

const sb = sandboxPerTest();

const file = (): string => readFileSync(join(sb.dir, 'ecosystem.yaml'), 'utf8');

describe('orch init', () => {
  it('with no script writes a commented file that validates, with the $schema line first', async () => {
    const r = await sb.orch(['init']);
    expect(r.code, r.stderr).toBe(0);
    expect(file().split('\n')[0]).toMatch(/^# yaml-language-server: \$schema=.*schemas\/ecosystem\.schema\.json$/);
    expect(file()).toMatch(/^ {4}# env:/m);
    const v = await sb.orch(['validate']);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect(v.stderr).toBe('');
  });

  it('for a Node script with --port writes a cluster app that validates and applies', async () => {
    const port = await freePort();
    sb.write('server.js', "require('node:http').createServer((q, s) => s.end('hi')).listen(Number(process.env.PORT));\n");
    const r = await sb.orch(['init', 'server.js', '--port', String(port)]);
    expect(r.code, r.stderr).toBe(0);
    expect(file()).toMatch(/^ {4}mode: cluster$/m);
    const v = await sb.orch(['validate']);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect(v.stderr).toBe('');
    const a = await sb.orch(['apply']);
    expect(a.code, a.stdout + a.stderr).toBe(0);
    expect((await httpGet(port)).body).toBe('hi');
    const s = JSON.parse((await sb.orch(['status', '--output', 'json'])).stdout) as { apps: { name: string; mode: string; instances: unknown[] }[] };
    expect(s.apps.map((x) => [x.name, x.mode, x.instances.length])).toEqual([['server', 'cluster', 2]]);
  });

  it('for a Node script without a port keeps cluster mode as comments, and validates without warnings', async () => {
    sb.write('worker.mjs', 'setInterval(() => {}, 1000);\n');
    expect((await sb.orch(['init', 'worker.mjs'])).code).toBe(0);
    expect(file()).toMatch(/^ {4}# mode: cluster$/m);
    const v = await sb.orch(['validate']);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect(v.stderr).toBe('');
  });

  it('for a Python script runs it with python3 and validates', async () => {
    sb.write('app.py', 'import time\nwhile True: time.sleep(1)\n');
    expect((await sb.orch(['init', 'app.py'])).code).toBe(0);
    expect(file()).toMatch(/^ {4}run: python3 app\.py$/m);
    expect((await sb.orch(['validate'])).code).toBe(0);
  });

  it('refuses to overwrite an existing file (exit 2, unchanged) unless --force', async () => {
    sb.write('ecosystem.yaml', 'mine\n');
    const r = await sb.orch(['init']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ecosystem\.yaml exists/);
    expect(file()).toBe('mine\n');
    const forced = await sb.orch(['init', '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(file()).toMatch(/^version: 1$/m);
  });
});
