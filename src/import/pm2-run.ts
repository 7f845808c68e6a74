// PM2's script + args + interpreter + interpreter args as orch's `run`, choosing the interpreter
// the way PM2 does (lib/Common.js resolveInterpreter, lib/API/interpreter.json). Pure: whether a
// file is a binary and which commands exist are asked through `probe`.
import { extname, resolve } from 'node:path';
import type { Fidelity } from './pm2-keys.js';
import { toRun, toWords } from './pm2-values.js';

export interface RunProbe {
  /** Whether a command is on PATH (PM2 prefers `python`, falls back to `python3`). */
  readonly hasCommand: (name: string) => boolean;
  /** Whether the file is a binary executable; undefined when it does not exist. */
  readonly isBinary: (path: string) => boolean | undefined;
}

export interface RunInput {
  readonly script: string;
  readonly args: unknown;
  readonly interpreter: unknown;
  readonly interpreterArgs: unknown;
  /** The app's working directory, absolute (where PM2 resolves the script). */
  readonly cwd: string;
}

export interface RunResult {
  readonly run: string | string[];
  readonly shell: boolean;
  /** The interpreter runs Node: what cluster mode can fork. */
  readonly node: boolean;
  readonly python: boolean;
  /** The interpreter written first in `run`, if any (interpreter args go after it). */
  readonly interpreter?: string;
  /** How the interpreter was chosen, for the script's (or the interpreter's) fidelity row. */
  readonly status: Fidelity;
  readonly note: string;
}

const BY_EXTENSION: Readonly<Record<string, string>> = {
  '.sh': 'bash', '.py': 'python', '.rb': 'ruby', '.php': 'php', '.pl': 'perl', '.js': 'node',
  '.cjs': 'node', '.mjs': 'node', '.coffee': 'coffee', '.ls': 'lsc', '.ts': 'bun', '.tsx': 'bun',
};
/** PM2 runs these with its own bundled copy (coffee, lsc) or a runtime orch cannot assume (bun). */
const NEEDS_INSTALL = new Set(['coffee', 'lsc', 'bun']);

const isNode = (interpreter: string): boolean => /(^|\/)(node|nodejs)$/.test(interpreter);

export const pm2Run = (input: RunInput, probe: RunProbe): RunResult => {
  const args = toWords(input.args) ?? [];
  // PM2 runs a script with spaces (and no Windows) as `bash -c <script>`.
  if (input.script.includes(' ')) {
    return {
      run: [input.script, ...args].join(' '),
      shell: true,
      node: false,
      python: false,
      status: 'approximated',
      note: "a command line: PM2 runs it with bash -c, orch with /bin/sh -c (shell: true)",
    };
  }
  let interpreter: string | undefined;
  let status: Fidelity = 'mapped';
  let note: string;
  const written = typeof input.interpreter === 'string' && input.interpreter !== '' ? input.interpreter : undefined;
  if (written === 'none') {
    note = "interpreter 'none': the script runs itself";
  } else if (written?.startsWith('node@')) {
    interpreter = 'node';
    status = 'approximated';
    note = `${written}: orch runs the node on PATH (PM2 installs that version with nvm); put its path first in run`;
  } else if (written !== undefined) {
    interpreter = written;
    note = `interpreter ${written}`;
  } else {
    const byExt = BY_EXTENSION[extname(input.script)];
    if (byExt === 'python') {
      interpreter = probe.hasCommand('python') || !probe.hasCommand('python3') ? 'python' : 'python3';
      note = `PM2 runs ${extname(input.script)} with ${interpreter}`;
    } else if (byExt !== undefined) {
      interpreter = byExt;
      if (NEEDS_INSTALL.has(byExt)) {
        status = 'approximated';
        note = `PM2 runs ${extname(input.script)} with ${byExt === 'bun' ? 'bun' : `its own ${byExt}`}; orch needs ${byExt} on PATH`;
      } else {
        note = `PM2 runs ${extname(input.script)} with ${byExt}`;
      }
    } else {
      const binary = probe.isBinary(resolve(input.cwd, input.script));
      if (binary === true) {
        note = 'a binary: it runs itself';
      } else if (binary === false) {
        interpreter = 'node';
        note = 'PM2 runs a text file with no known extension with node';
      } else {
        status = 'approximated';
        note = "not a file in cwd: PM2 looks it up on PATH and runs it with node unless it is a binary; orch runs it itself (its #! line picks the interpreter)";
      }
    }
  }
  const interpreterArgs = interpreter === undefined ? [] : (toWords(input.interpreterArgs) ?? []);
  const argv = [...(interpreter === undefined ? [] : [interpreter]), ...interpreterArgs, input.script, ...args];
  return {
    run: toRun(argv),
    shell: false,
    node: interpreter !== undefined && isNode(interpreter),
    python: interpreter?.includes('python') ?? false,
    ...(interpreter === undefined ? {} : { interpreter }),
    status,
    note,
  };
};
