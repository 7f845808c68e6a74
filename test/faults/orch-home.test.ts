// A hostile ORCH_HOME (SPEC §10): a symlink or another user's directory is refused before anything
// is written; a directory orch did not create keeps its mode; everything orch writes is private.
import { chownSync, lstatSync, mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, repoRoot, type Sandbox } from '../helpers/sandbox.js';

const spam = join(repoRoot, 'test/fixtures/apps/spam.js');
const isRoot = process.getuid?.() === 0;

let sb: Sandbox;
beforeEach(() => {
  sb = createSandbox();
});
afterEach(async () => {
  await sb.cleanup();
});

/** A directory orch did not create, world-readable, with one file in it. */
const sharedDir = (name: string): string => {
  const dir = join(sb.dir, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'keep.txt'), 'mine');
  return dir;
};
const modeOf = (path: string) => lstatSync(path).mode & 0o777;

/** Every entry under `dir` with its mode, relative paths. */
const modesUnder = (dir: string): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) out[entry] = modeOf(join(dir, entry));
  return out;
};

describe('ORCH_HOME is never trusted blindly', () => {
  it('a symlink is refused (exit 2, how to fix it) and its target is left untouched', async () => {
    const target = sharedDir('shared');
    statSync(target); // 0755 under the usual umask
    const before = modeOf(target);
    const link = join(sb.dir, 'link');
    symlinkSync(target, link);
    for (const args of [['status'], ['daemon', 'start'], ['logs', '--lines', '1']]) {
      const r = await sb.orch(args, { env: { ORCH_HOME: link } });
      expect(r.code, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`ORCH_HOME ${link}.* is a symlink; point ORCH_HOME at a real directory you own`));
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(modeOf(target)).toBe(before);
    expect(readdirSync(target)).toEqual(['keep.txt']);
  });

  it.skipIf(!isRoot)('a directory owned by another user is refused and left untouched (needs root to chown)', async () => {
    const foreign = sharedDir('foreign');
    chownSync(foreign, 65534, 65534);
    const before = modeOf(foreign);
    const r = await sb.orch(['status'], { env: { ORCH_HOME: foreign } });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/owned by uid 65534, not by you \(uid 0\); point ORCH_HOME at a directory you own/);
    expect(modeOf(foreign)).toBe(before);
    expect(readdirSync(foreign)).toEqual(['keep.txt']);
  });

  it('an existing directory of ours keeps its mode; orch creates a missing one 0700', async () => {
    const existing = sharedDir('existing');
    const before = modeOf(existing);
    expect(before & 0o077).not.toBe(0); // the case that matters: a directory others can read
    const r = await sb.orch(['daemon', 'start'], { env: { ORCH_HOME: existing } });
    expect(r.code, r.stderr).toBe(0);
    expect(modeOf(existing)).toBe(before);
    await sb.orch(['daemon', 'stop'], { env: { ORCH_HOME: existing } });

    const fresh = join(sb.dir, 'a/b/home');
    expect((await sb.orch(['daemon', 'start'], { env: { ORCH_HOME: fresh } })).code).toBe(0);
    expect(modeOf(fresh)).toBe(0o700);
    await sb.orch(['daemon', 'stop'], { env: { ORCH_HOME: fresh } });
  });

  it('every file orch writes is 0600 and every directory 0700, logs and rotated logs included', async () => {
    const file = sb.write('ecosystem.yaml', `version: 1\nname: modes\napps:\n  talk:\n    run: [node, ${spam}, '3000']\n    restart: { policy: never }\n    ready: { type: none, delay: 0ms }\n`);
    // A small rotation size so rotated files exist too.
    const env = { ORCH_LOG_MAX_SIZE: '4K', ORCH_LOG_KEEP: '2' };
    const r = await sb.orch(['apply', file], { env });
    expect(r.code, r.stderr).toBe(0);
    const { waitFor } = await import('../helpers/wait-for.js');
    await waitFor(() => readdirSync(join(sb.home, 'logs')).includes('talk.log.1'), { what: 'a rotated log' });
    await sb.orch(['daemon', 'stop']);
    const modes = modesUnder(sb.home);
    for (const name of ['daemon.log', 'state.json', 'logs', 'logs/talk.log', 'logs/talk.log.1', 'history']) expect(Object.keys(modes)).toContain(name);
    const wrong = Object.entries(modes).filter(([path, mode]) => mode !== (statSync(join(sb.home, path)).isDirectory() ? 0o700 : 0o600));
    expect(wrong).toEqual([]);
    expect(modeOf(sb.home)).toBe(0o700);
  });
});
