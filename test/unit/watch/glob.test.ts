import { matchesGlob as nodeMatchesGlob } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isIgnored, matchesGlob } from '../../../src/watch/glob.js';
import { ignoreFilter } from '../../../src/watch/watchers.js';

const globs: [glob: string, path: string, matches: boolean][] = [
  ['*.log', 'a.log', true],
  ['*.log', 'dir/a.log', false],
  // Unlike minimatch, `*` matches a leading dot: `*.swp` must ignore vim's `.app.js.swp`.
  ['*.log', '.log', true],
  ['*.swp', '.app.js.swp', true],
  ['a?c', 'abc', true],
  ['a?c', 'a/c', false],
  ['a?c', 'abbc', false],
  ['**', 'a/b/c', true],
  ['**/*.ts', 'a.ts', true],
  ['**/*.ts', 'x/y/a.ts', true],
  ['**/*.ts', 'x/y/a.js', false],
  ['src/**', 'src/a/b.js', true],
  ['src/**', 'lib/a.js', false],
  ['src/**/test/*.js', 'src/test/a.js', true],
  ['src/**/test/*.js', 'src/a/b/test/a.js', true],
  ['src/**/test/*.js', 'src/a/b/test/x/a.js', false],
  ['a**b', 'axxb', true],
  ['a**b', 'ax/xb', false],
  ['file.txt', 'fileXtxt', false],
  ['(x)+[y]', '(x)+[y]', true],
  ['dist', 'dist', true],
];

const ignores: [patterns: string[], rel: string, ignored: boolean][] = [
  [['node_modules'], 'node_modules/x/index.js', true],
  [['node_modules'], 'src/node_modules/x.js', true],
  [['node_modules'], 'src/app.js', false],
  [['*.log'], 'logs/a.log', true],
  [['*.log'], 'a.log.txt', false],
  [['tmp/'], 'tmp/a', true],
  [['./tmp'], 'tmp/a', true],
  [['src/gen'], 'src/gen/a.ts', true],
  [['src/gen'], 'gen/a.ts', false],
  [['src/*.tmp'], 'src/a.tmp', true],
  [['src/*.tmp'], 'src/x/a.tmp', false],
  [['**/*.tmp'], 'src/x/a.tmp', true],
  [['.git'], '.git', true],
  [['x'], '', false],
];

describe('globs', () => {
  it.each(globs)('%s vs %s -> %s', (glob, path, matches) => {
    expect(matchesGlob(path, glob)).toBe(matches);
  });

  // Where Node has it, path.matchesGlob is the reference, except on purpose for dotfiles.
  it.runIf(typeof nodeMatchesGlob === 'function')('agrees with node:path matchesGlob (dotfiles aside)', () => {
    for (const [glob, path] of globs.filter(([g, p]) => !g.includes('(') && !p.split('/').some((s) => s.startsWith('.')))) {
      expect([glob, path, matchesGlob(path, glob)]).toEqual([glob, path, nodeMatchesGlob(path, glob)]);
    }
  });
});

describe('isIgnored', () => {
  it.each(ignores)('%j ignores %s: %s', (patterns, rel, ignored) => {
    expect(isIgnored(rel, patterns)).toBe(ignored);
  });
});

describe('ignoreFilter', () => {
  const filter = ignoreFilter({ paths: ['/srv/app/src', '/srv/app/lib'], ignore: ['*.tmp', 'gen'], exclude: ['/srv/app/src/ecosystem.yaml', '/srv/app/home'] });
  it.each([
    ['/srv/app/src/a.js', false],
    ['/srv/app/src', false],
    ['/srv/app/src/a.tmp', true],
    ['/srv/app/lib/gen/x.js', true],
    ['/srv/app/src/node_modules/x.js', true],
    ['/srv/app/src/.git/HEAD', true],
    ['/srv/app/src/ecosystem.yaml', true],
    ['/srv/app/home/logs/a.log', true],
    ['/srv/app/homework.js', false],
  ] as const)('%s ignored: %s', (path, ignored) => {
    expect(filter(path)).toBe(ignored);
  });
});
