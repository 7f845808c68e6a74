import { describe, expect, it } from 'vitest';
import { commandFor, isNodeCommand, splitRun } from '../../../src/config/run-command.js';

describe('splitRun', () => {
  it.each([
    ['node server.js', ['node', 'server.js']],
    ['  node   server.js  --port 80 ', ['node', 'server.js', '--port', '80']],
    [`node -e "console.log('a b')"`, ['node', '-e', "console.log('a b')"]],
    [`echo 'single $HOME' "double $HOME" $HOME`, ['echo', 'single $HOME', 'double $HOME', '$HOME']],
    ['echo ${NOT_EXPANDED} $1 $$', ['echo', '${NOT_EXPANDED}', '$1', '$$']],
    ['a\\ b c', ['a b', 'c']],
    ['node app.js # a comment', ['node', 'app.js']],
    [`printf '%s' "*.js"`, ['printf', '%s', '*.js']],
  ])('%s', (run, argv) => {
    expect(splitRun(run)).toEqual({ ok: true, argv });
  });

  it.each([
    ['a | b', "the shell operator '|' needs a shell: set 'shell: true'"],
    ['a && b', "the shell operator '&&' needs a shell: set 'shell: true'"],
    ['a || b', "the shell operator '||' needs a shell: set 'shell: true'"],
    ['a > log', "the shell operator '>' needs a shell: set 'shell: true'"],
    ['a 2>&1', "the shell operator '>&' needs a shell: set 'shell: true'"],
    ['a; b', "the shell operator ';' needs a shell: set 'shell: true'"],
    ['a &', "the shell operator '&' needs a shell: set 'shell: true'"],
    ['cat < in', "the shell operator '<' needs a shell: set 'shell: true'"],
    ['rm *.log', "the glob '*.log' needs a shell: set 'shell: true' or quote it to pass it as it is"],
    ['# only a comment', 'must contain a command, got an empty command'],
  ])('%s is rejected', (run, message) => {
    expect(splitRun(run)).toEqual({ ok: false, message });
  });
});

describe('commandFor and isNodeCommand', () => {
  it.each([
    [['server.js', '--x'], ['node', 'server.js', '--x'], true],
    [['./dist/main.mjs'], ['node', './dist/main.mjs'], true],
    [['node', 'a.cjs'], ['node', 'a.cjs'], true],
    [['/usr/local/bin/node', 'a'], ['/usr/local/bin/node', 'a'], true],
    [['python', 'a.js'], ['python', 'a.js'], false],
    [['./server'], ['./server'], false],
  ])('%j', (argv, command, node) => {
    expect(commandFor(argv)).toEqual(command);
    expect(isNodeCommand(commandFor(argv))).toBe(node);
  });
});
