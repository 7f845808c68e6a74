// The built binary, run as a user would: help, version, usage errors, validate over examples/.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runOrch } from '../helpers/sandbox.js';

const orch = (...args: string[]) => runOrch(args, { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1' }, timeout: 30_000 });

describe('orch CLI basics', () => {
  it('--version prints the package version and exits 0', async () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    const r = await orch('--version');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('--help lists the commands', async () => {
    const r = await orch('--help');
    expect(r.code).toBe(0);
    for (const c of ['validate', 'diff', 'apply', 'status', 'logs', 'reload', 'down', 'daemon']) expect(r.stdout).toContain(c);
  });

  it('an unknown command is a usage error with a suggestion, exit 2, no stack trace', async () => {
    const r = await orch('aply');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'aply'/);
    expect(r.stderr).toMatch(/Did you mean apply\?/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('an unknown flag is a usage error, exit 2', async () => {
    const r = await orch('validate', '--frobnicate');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--frobnicate'/);
  });

  it('a bad --output value names the choices', async () => {
    const r = await orch('validate', '--output', 'xml');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/human, json/);
  });
});

const exampleFiles = (): string[] =>
  readdirSync(join(repoRoot, 'examples'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'invalid')
    .map((d) => join('examples', d.name, 'ecosystem.yaml'))
    .concat(['ecosystem.yaml']);

describe('orch validate over examples/', () => {
  it.each(exampleFiles())('%s is valid (exit 0)', async (file) => {
    const r = await orch('validate', file);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  const invalid = readdirSync(join(repoRoot, 'examples/invalid')).filter((f) => f.endsWith('.yaml'));

  it('examples/invalid/ holds at least 25 files', () => {
    expect(invalid.length).toBeGreaterThanOrEqual(25);
  });

  it.each(invalid)('examples/invalid/%s exits 2 with its expected errors', async (name) => {
    const file = join('examples/invalid', name);
    const expected = readFileSync(join(repoRoot, file.replace(/\.yaml$/, '.expected')), 'utf8').trim().split('\n');
    const r = await orch('validate', file);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines.slice(0, -1)).toEqual(expected);
    expect(lines.at(-1)).toMatch(/^\d+ errors? in /);
  });

  it('--output json reports errors with positions', async () => {
    const r = await orch('validate', 'examples/invalid/' + invalidSample(), '--output', 'json');
    expect(r.code).toBe(2);
    const json = JSON.parse(r.stdout) as { valid: boolean; errors: { line: number; col: number; path: string; message: string }[] };
    expect(json.valid).toBe(false);
    expect(json.errors.length).toBeGreaterThan(0);
    for (const e of json.errors) expect(typeof e.message).toBe('string');
  });
});

const invalidSample = (): string => readdirSync(join(repoRoot, 'examples/invalid')).filter((f) => f.endsWith('.yaml'))[0]!;
