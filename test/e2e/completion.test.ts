// `orch completion bash|zsh|fish` through the built binary, each script loaded in its real shell
// and asked for completions, app names coming from the running daemon:
// - bash: the script sourced, its function called with COMP_WORDS set;
// - fish: the script sourced, `complete -C '<line>'` (candidates, a tab, their descriptions);
// - zsh: a real interactive `zsh -f -i` on a pseudo-terminal (zsh/zpty), TAB pressed in its line
//   editor; TAB runs _main_complete with compadd wrapped to record what it adds (the way of
//   https://unix.stackexchange.com/a/668827): the completion system runs as a user's would, from
//   compinit through compdef to our function, and what it offers is read as data, not screen text.
// A shell that is not installed skips its test, saying so (.ci/run installs zsh and fish).
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify, stripVTControlCharacters } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, orchBin, repoRoot, type Sandbox } from '../helpers/sandbox.js';

const run = promisify(execFile);
const worker = join(repoRoot, 'test/fixtures/e2e/worker.js');
const haveFish = spawnSync('fish', ['--version']).status === 0;
// zsh/zpty is a module of Debian's zsh; a zsh without it cannot drive its own line editor.
const haveZsh = spawnSync('zsh', ['-f', '-c', 'zmodload zsh/zpty']).status === 0;
const skipped = (have: boolean, shell: string): string => (have ? '' : ` (skipped: no ${shell}${shell === 'zsh' ? ' with zsh/zpty' : ''}; .ci/run installs the Debian package ${shell})`);

let sb: Sandbox;
beforeEach(() => {
  sb = createSandbox();
});
afterEach(async () => {
  await sb.cleanup();
});

/** The sandbox's environment with an `orch` on PATH that runs the built binary. */
const shellEnv = (): NodeJS.ProcessEnv => {
  const bin = join(sb.dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'orch'), `#!/bin/sh\nexec "${process.execPath}" "${orchBin}" "$@"\n`);
  chmodSync(join(bin, 'orch'), 0o755);
  // fish and zsh write nothing under the real home: their config, data and cache dirs are the sandbox's.
  const xdg = join(sb.dir, 'xdg');
  return { ...sb.env, PATH: `${bin}:${process.env.PATH ?? ''}`, HOME: join(sb.dir, 'user'), XDG_CONFIG_HOME: join(xdg, 'config'), XDG_DATA_HOME: join(xdg, 'data'), XDG_CACHE_HOME: join(xdg, 'cache') };
};

const script = async (shell: string): Promise<string> => {
  const r = await sb.orch(['completion', shell]);
  expect(r.code, r.stderr).toBe(0);
  return sb.write(`orch-completion.${shell}`, r.stdout);
};

/** Three apps of project shop, applied: api and apex share a prefix. */
const applyShop = async (): Promise<void> => {
  sb.write('ecosystem.yaml', `version: 1\nname: shop\napps:\n${['api', 'apex', 'jobs'].map((n) => `  ${n}:\n    run: [node, ${worker}]\n    ready: { type: none, delay: 0ms }\n`).join('')}`);
  const applied = await sb.orch(['apply']);
  expect(applied.code, applied.stderr).toBe(0);
};

const noDaemon = (): void => expect(existsSync(join(sb.home, 'orch.sock')), 'completing started a daemon').toBe(false);

/** What the bash completion function offers for `words`, the last one being completed. */
const bashComplete = (file: string, words: readonly string[]): string[] => {
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const out = execFileSync('bash', ['-c', `source "${file}"; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _orch orch; printf '%s\\n' "\${COMPREPLY[@]}"`], {
    cwd: sb.dir,
    env: shellEnv(),
    encoding: 'utf8',
    timeout: 30_000,
  });
  return out.split('\n').filter((l) => l !== '');
};

/** fish's candidates for each line, as `complete -C` prints them: `word` or `word\tdescription`. */
const fishComplete = async (file: string, lines: readonly string[]): Promise<string[][]> => {
  const { stdout } = await run('fish', ['--no-config', '-c', `source $argv[1]; or exit 9; for l in $argv[2..-1]; complete -C $l; echo \\x1e; end`, file, ...lines], {
    cwd: sb.dir,
    env: shellEnv(),
    timeout: 30_000,
  });
  return stdout
    .split('\x1e\n')
    .slice(0, lines.length)
    .map((block) => block.split('\n').filter((l) => l !== ''));
};
const words = (candidates: readonly string[]): string[] => candidates.map((c) => c.split('\t')[0]!);

// The zsh side of the test. drive.zsh runs a real interactive `zsh -f -i` on a pseudo-terminal,
// sources the setup file in it, then for every line: ^U (clear the line), the line, TAB. The
// setup's TAB widget (HARNESS) prints ^A, runs the completion system, prints ^B, the words compadd
// was given, one a line, then ^C, and asks zsh to neither list nor insert them. drive.zsh prints
// ^D, what the shell printed while loading the setup (errors, hints), ^D, then per line ^A, what
// the completion printed (errors), ^B, the words, ^C.
const DRIVE = `zmodload zsh/zpty || exit 3
setup=$1; shift
zpty z zsh -f -i
zpty -w z "unsetopt prompt_sp prompt_cr; PS1='<''P>'; print '<BE''GIN>'; source \${(q)setup}"
zpty -r z REPLY '*<BEGIN>*' || exit 4
zpty -r z REPLY '*<P>*' || exit 4
print -rn -- $'\\C-D'"\${REPLY%<P>}"$'\\C-D'
for line in "$@"; do
  zpty -w -n z $'\\C-U'"$line"$'\\t'
  zpty -r z REPLY $'*\\C-A' || exit 5
  zpty -r z REPLY $'*\\C-B' || exit 5
  print -rn -- $'\\C-A'"\${REPLY%$'\\C-B'}"
  zpty -r z REPLY $'*\\C-C' || exit 6
  print -rn -- $'\\C-B'"\${REPLY%$'\\C-C'}"$'\\C-C'
done
zpty -d z
`;
const HARNESS = `typeset -aU __got
compadd() {
  local -a reply
  builtin compadd -O reply "$@"
  __got+=("$reply[@]")
  builtin compadd "$@"
}
__report() {
  __got=()
  unset 'compstate[vared]'
  print -n $'\\C-A'
  _main_complete
  compstate[list]=''
  compstate[insert]=''
  print -n $'\\C-B'
  print -nlr -- "$__got[@]"
  print -n $'\\C-C'
}
zle -C __report complete-word __report
bindkey -e
bindkey '^I' __report
`;

interface ZshRun {
  /** What the shell printed while loading the setup, terminal escapes removed. */
  readonly startup: string;
  /** Per line: what the completion printed (errors), and the words it offered, sorted. */
  readonly results: readonly { readonly noise: string; readonly words: readonly string[] }[];
}
const plain = (s: string): string => stripVTControlCharacters(s).replaceAll('\r', '').trim();

/** Types each line, then TAB, into an interactive zsh that ran `setup` (zsh code) first. */
const zshComplete = async (setup: string, lines: readonly string[]): Promise<ZshRun> => {
  const drive = sb.write('zsh/drive.zsh', DRIVE);
  const file = sb.write('zsh/setup.zsh', `${setup}\nsource ${sb.write('zsh/harness.zsh', HARNESS)}\n`);
  const { stdout } = await run('zsh', ['-f', drive, file, ...lines], { cwd: sb.dir, env: shellEnv(), timeout: 30_000 });
  const [, startup = '', rest = ''] = stdout.split('\x04');
  const results = rest
    .split('\x03')
    .slice(0, -1)
    .map((record) => {
      const [noise = '', offered = ''] = record.slice(record.indexOf('\x01') + 1).split('\x02');
      return { noise: plain(noise), words: offered.split(/\r?\n/).filter((w) => w !== '').sort() };
    });
  expect(results.length, stdout).toBe(lines.length);
  return { startup: plain(startup), results };
};
/** The words zsh offers for each line, checking that the completion printed nothing. */
const zshWords = async (setup: string, lines: readonly string[]): Promise<string[][]> => {
  const r = await zshComplete(setup, lines);
  expect(r.startup, 'loading the script printed something').toBe('');
  for (const [i, x] of r.results.entries()) expect(x.noise, `completing '${lines[i]}' printed something`).toBe('');
  return r.results.map((x) => [...x.words]);
};
// What a user's ~/.zshrc does: compinit, then the README's line.
const ZSHRC = 'autoload -Uz compinit && compinit -u -D\nsource <(orch completion zsh)';

// The same questions for every shell; `offered` gives one shell's answers (sorted words).
const NO_DAEMON_LINES = ['orch re', 'orch ', 'orch logs --e', 'orch logs --s', 'orch daemon s', 'orch completion ', 'orch status --output ', 'orch restart '];
const checkNoDaemon = (got: readonly string[][]): void => {
  const [re, verbs, logsE, logsS, daemon, completion, output, restart] = got;
  expect(re).toEqual(['reload', 'restart']);
  for (const v of ['apply', 'status', 'list', 'describe', 'scale', 'flush', 'completion', 'logs', 'daemon']) expect(verbs).toContain(v);
  expect(logsE).toEqual(['--err']);
  expect(logsS).toEqual(['--since']);
  expect(daemon).toEqual(['start', 'status', 'stop']);
  expect(completion).toEqual(['bash', 'fish', 'zsh']);
  expect(output).toEqual(['human', 'json']);
  // No daemon yet: no app names, not even `all`.
  expect(restart).toEqual([]);
};
const DAEMON_LINES = ['orch restart ap', 'orch restart ', 'orch describe j', 'orch logs a', 'orch apply ecos', 'orch daemon start ', 'orch scale api ', 'orch describe api ', 'orch start --m'];
const checkDaemon = (got: readonly string[][]): void => {
  const [restartAp, restart, describeJ, logsA, apply, daemonStart, scale, describeApi, startM] = got;
  expect(restartAp).toEqual(['apex', 'api']);
  expect(restart).toEqual(['all', 'apex', 'api', 'jobs']);
  expect(describeJ).toEqual(['jobs']);
  expect(logsA).toEqual(['apex', 'api']);
  // apply takes a file: the shell's own file completion.
  expect(apply).toEqual(['ecosystem.yaml']);
  // `daemon start` is not the verb `start`: no app names, and `start` has no --metrics.
  expect(daemonStart).toEqual([]);
  expect(startM).toEqual([]);
  // scale's second argument is a count, describe takes one app.
  expect(scale).toEqual([]);
  expect(describeApi).toEqual([]);
};

describe('orch completion', () => {
  it('bash: verbs, options and app names from the daemon', async () => {
    const r = await sb.orch(['completion', 'bash']);
    expect(r.stdout).toMatch(/complete -F _orch orch/);
    const file = await script('bash');
    const ask = (lines: readonly string[]): string[][] => lines.map((l) => bashComplete(file, l.split(' ')).sort());
    checkNoDaemon(ask(NO_DAEMON_LINES));
    noDaemon();
    await applyShop();
    checkDaemon(ask(DAEMON_LINES));
  });

  it.skipIf(!haveFish)(`fish: complete -C in a real fish: verbs with descriptions, options, app names from the daemon${skipped(haveFish, 'fish')}`, async () => {
    const file = await script('fish');
    const before = await fishComplete(file, NO_DAEMON_LINES);
    checkNoDaemon(before.map((c) => words(c).sort()));
    noDaemon();
    // Candidates carry their descriptions after a tab.
    expect(before[0]).toContainEqual(expect.stringMatching(/^reload\tzero-downtime rolling reload/));
    expect(before[2]).toEqual([expect.stringMatching(/^--err\t.+/)]);
    expect(before[4]).toContainEqual(expect.stringMatching(/^start\tstart the daemon/));

    await applyShop();
    const after = await fishComplete(file, DAEMON_LINES);
    checkDaemon(after.map((c) => words(c).sort()));
    expect(after[1]).toContainEqual('all\tevery app');
    // The root's own options.
    expect(words((await fishComplete(file, ['orch --v']))[0]!)).toEqual(['--version']);
  });

  it.skipIf(!haveZsh)(`zsh: TAB in a real interactive zsh after compinit and source <(orch completion zsh)${skipped(haveZsh, 'zsh')}`, async () => {
    const r = await sb.orch(['completion', 'zsh']);
    expect(r.stdout).toMatch(/^#compdef orch\n/);
    checkNoDaemon(await zshWords(ZSHRC, NO_DAEMON_LINES));
    noDaemon();
    await applyShop();
    checkDaemon(await zshWords(ZSHRC, DAEMON_LINES));
  });

  it.skipIf(!haveZsh)(`zsh: saved as _orch in $fpath, sourced before compinit, or with no compinit at all${skipped(haveZsh, 'zsh')}`, async () => {
    const file = await script('zsh');
    const fpath = join(sb.dir, 'zfunc');
    mkdirSync(fpath);
    writeFileSync(join(fpath, '_orch'), (await sb.orch(['completion', 'zsh'])).stdout);
    // compinit finds it by its #compdef line; the first TAB already completes.
    expect(await zshWords(`fpath=(${fpath} $fpath)\nautoload -Uz compinit && compinit -u -D`, ['orch re', 'orch daemon s'])).toEqual([
      ['reload', 'restart'],
      ['start', 'status', 'stop'],
    ]);
    // A ~/.zshrc that sources the script first and runs compinit later (as frameworks do).
    expect(await zshWords(`source ${file}\nautoload -Uz compinit && compinit -u -D`, ['orch re'])).toEqual([['reload', 'restart']]);
    // No completion system at all: one line that says what to add, no error.
    const bare = await zshComplete(`source ${file}`, []);
    expect(bare.startup).toMatch(/^orch completion: zsh's completion system is not loaded: .*autoload -Uz compinit && compinit/);
    expect(bare.startup).not.toMatch(/not found/);
  });

  it('every shell is offered, an unknown one is a usage error', async () => {
    for (const shell of ['bash', 'zsh', 'fish']) expect((await sb.orch(['completion', shell])).code).toBe(0);
    const bad = await sb.orch(['completion', 'tcsh']);
    expect(bad.code).toBe(2);
  });
});

describe('orch startup', () => {
  it('prints the unit on stdout and the commands that install it on stderr', async () => {
    const user = await sb.orch(['startup', '--user']);
    expect(user.code, user.stderr).toBe(0);
    expect(user.stdout).toMatch(/^\[Unit\]/);
    expect(user.stdout).toMatch(/WantedBy=default\.target/);
    expect(user.stderr).toMatch(/orch startup --user > ~\/\.config\/systemd\/user\/orch\.service/);
    expect(user.stderr).toMatch(/systemctl --user daemon-reload/);
    expect(user.stderr).toMatch(/systemctl --user enable --now orch\.service/);
    expect(user.stderr).toMatch(/loginctl enable-linger/);

    const system = await sb.orch(['startup', '--system']);
    expect(system.code, system.stderr).toBe(0);
    expect(system.stdout).toMatch(/WantedBy=multi-user\.target/);
    expect(system.stderr).toMatch(/\/etc\/systemd\/system\/orch\.service/);
    expect(system.stderr).toMatch(/systemctl daemon-reload/);
    expect(system.stderr).toMatch(/systemctl enable --now orch\.service/);

    const both = await sb.orch(['startup', '--user', '--system']);
    expect(both.code).toBe(2);
  });
});
