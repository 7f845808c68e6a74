// `orch completion bash|zsh|fish` through the built binary: the bash script is sourced in a real
// bash and its function asked for completions, app names coming from the running daemon.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, orchBin, repoRoot, type Sandbox } from '../helpers/sandbox.js';

const worker = join(repoRoot, 'test/fixtures/e2e/worker.js');

let sb: Sandbox;
beforeEach(() => {
  sb = createSandbox();
});
afterEach(async () => {
  await sb.cleanup();
});

/** What the bash completion function offers for `words`, the last one being completed. */
const complete = (script: string, words: readonly string[]): string[] => {
  const bin = join(sb.dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'orch'), `#!/bin/sh\nexec "${process.execPath}" "${orchBin}" "$@"\n`);
  chmodSync(join(bin, 'orch'), 0o755);
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const out = execFileSync(
    'bash',
    ['-c', `source "${script}"; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _orch orch; printf '%s\\n' "\${COMPREPLY[@]}"`],
    { cwd: sb.dir, env: { ...sb.env, PATH: `${bin}:${process.env.PATH ?? ''}` }, encoding: 'utf8', timeout: 30_000 },
  );
  return out.split('\n').filter((l) => l !== '');
};

describe('orch completion', () => {
  it('bash: verbs, options and app names from the daemon', async () => {
    const r = await sb.orch(['completion', 'bash']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/complete -F _orch orch/);
    const script = sb.write('orch-completion.bash', r.stdout);

    expect(complete(script, ['orch', 're'])).toEqual(['reload', 'restart']);
    const verbs = complete(script, ['orch', '']);
    for (const v of ['apply', 'status', 'list', 'describe', 'scale', 'flush', 'completion', 'logs', 'daemon']) expect(verbs).toContain(v);
    expect(complete(script, ['orch', 'logs', '--e'])).toEqual(['--err']);
    expect(complete(script, ['orch', 'logs', '--s'])).toEqual(['--since']);
    expect(complete(script, ['orch', 'daemon', 's'])).toEqual(['start', 'status', 'stop']);
    expect(complete(script, ['orch', 'completion', ''])).toEqual(['bash', 'fish', 'zsh']);
    expect(complete(script, ['orch', 'status', '--output', ''])).toEqual(['human', 'json']);
    // No daemon yet: no app names, and completing did not start one.
    expect(complete(script, ['orch', 'restart', ''])).toEqual([]);

    sb.write('ecosystem.yaml', `version: 1\nname: shop\napps:\n${['api', 'apex', 'jobs'].map((n) => `  ${n}:\n    run: [node, ${worker}]\n    ready: { type: none, delay: 0ms }\n`).join('')}`);
    const applied = await sb.orch(['apply']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(complete(script, ['orch', 'restart', 'ap'])).toEqual(['apex', 'api']);
    expect(complete(script, ['orch', 'restart', ''])).toEqual(['all', 'apex', 'api', 'jobs']);
    expect(complete(script, ['orch', 'describe', 'j'])).toEqual(['jobs']);
    expect(complete(script, ['orch', 'logs', 'a'])).toEqual(['apex', 'api']);
    // apply takes a file: bash's own file completion.
    expect(complete(script, ['orch', 'apply', 'ecos'])).toEqual(['ecosystem.yaml']);
  });

  it('zsh and fish scripts name every command', async () => {
    for (const shell of ['zsh', 'fish']) {
      const r = await sb.orch(['completion', shell]);
      expect(r.code, r.stderr).toBe(0);
      for (const v of ['apply', 'describe', 'scale', 'flush', 'logs']) expect(r.stdout).toContain(v);
    }
    expect((await sb.orch(['completion', 'zsh'])).stdout).toMatch(/^#compdef orch/);
    expect((await sb.orch(['completion', 'fish'])).stdout).toMatch(/complete -c orch/);
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
