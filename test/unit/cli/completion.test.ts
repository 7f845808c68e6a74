import { execFileSync } from 'node:child_process';
import { Argument, Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { bashScript, fishScript } from '../../../src/cli/completion-scripts.js';
import { commandTable } from '../../../src/cli/completion-table.js';

const program = () => {
  const p = new Command('orch');
  p.command('restart').argument('<apps...>');
  p.command('describe').aliases(['show']).argument('<app>').option('--show-env');
  p.command('apply').argument('[file]').addOption(new Option('-o, --output <format>').choices(['json', 'human']));
  p.command('completion').addArgument(new Argument('<shell>').choices(['zsh', 'bash']));
  const d = p.command('daemon');
  d.command('stop');
  d.command('start');
  return p;
};

describe('commandTable', () => {
  it('reads names, aliases, options, argument kinds and subcommands off commander', () => {
    const t = commandTable(program());
    expect(t.subcommands.map((c) => c.names)).toEqual([['apply'], ['completion'], ['daemon'], ['describe', 'show'], ['restart']]);
    const [apply, completion, daemon, describeCmd, restart] = t.subcommands;
    expect(restart!.args).toEqual([{ kind: 'apps' }]);
    expect(describeCmd!.args).toEqual([{ kind: 'app' }]);
    expect(apply!.args).toEqual([{ kind: 'file' }]);
    expect(completion!.args).toEqual([{ kind: 'choice', words: ['bash', 'zsh'] }]);
    expect(apply!.options[0]).toMatchObject({ flags: ['-o', '--output'], takesValue: true, choices: ['human', 'json'] });
    expect(daemon!.subcommands.map((c) => c.path)).toEqual([
      ['daemon', 'start'],
      ['daemon', 'stop'],
    ]);
  });
});

const bashComplete = (script: string, words: readonly string[]): string[] =>
  execFileSync(
    'bash',
    ['-c', `eval "$SCRIPT"; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _orch; printf '%s\\n' "\${COMPREPLY[@]}"`],
    { env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', SCRIPT: script }, encoding: 'utf8' },
  )
    .split('\n')
    .filter((l) => l !== '');

describe('bashScript', () => {
  const script = bashScript(commandTable(program()));
  it.each([
    [['orch', ''], ['apply', 'completion', 'daemon', 'describe', 'restart', 'show']],
    [['orch', 's'], ['show']],
    [['orch', 'show', '--'], ['--help', '--show-env']],
    [['orch', 'daemon', ''], ['start', 'stop']],
    [['orch', 'apply', '-o', ''], ['human', 'json']],
    [['orch', 'completion', ''], ['bash', 'zsh']],
    [['orch', 'completion', 'zsh', ''], []],
    [['orch', 'nope', ''], []],
  ])('%j → %j', (words, expected) => {
    expect(bashComplete(script, words)).toEqual(expected);
  });
});

describe('fishScript', () => {
  it('declares every command and the app-name completer', () => {
    const script = fishScript(commandTable(program()));
    expect(script).toMatch(/complete -c orch -n '__orch_arg orch 0' -a 'restart'/);
    expect(script).toMatch(/complete -c orch -n '__orch_arg orch_restart 0\+' -a '\(__orch_apps_or_all\)'/);
    expect(script).toMatch(/-n '__orch_in orch_apply' -l output -s o -x -a 'human json'/);
  });
});
