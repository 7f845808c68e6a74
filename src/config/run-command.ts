// `run` -> argv. A string is split into words like a shell would (quotes, backslashes), but no
// shell runs: operators (`|`, `&&`, `>`) and globs would silently mean something else, so they
// are rejected with a pointer to `shell: true`. `$` is always literal here: only orch's own
// `${VAR}` interpolation, done earlier, fills values.
import { parse, type ParseEntry } from 'shell-quote';

export type RunResult = { ok: true; argv: string[] } | { ok: false; message: string };

// A private-use character stands in for `$` so that shell-quote does not expand variables.
const DOLLAR = '\uE000';

const NODE_SCRIPT = /\.(js|mjs|cjs)$/;

export const splitRun = (run: string): RunResult => {
  let entries: ParseEntry[];
  try {
    entries = parse(run.replaceAll('$', DOLLAR));
  } catch (e) {
    return { ok: false, message: `cannot split into words: ${e instanceof Error ? e.message : String(e)}` };
  }
  const argv: string[] = [];
  for (const entry of entries) {
    if (typeof entry === 'string') {
      argv.push(entry.replaceAll(DOLLAR, '$'));
    } else if ('comment' in entry) {
      break;
    } else if (entry.op === 'glob') {
      return needsShell(`the glob '${entry.pattern.replaceAll(DOLLAR, '$')}'`, 'quote it to pass it as it is');
    } else {
      return needsShell(`the shell operator '${entry.op}'`);
    }
  }
  if (argv.length === 0) return { ok: false, message: 'must contain a command, got an empty command' };
  return { ok: true, argv };
};

const needsShell = (what: string, alternative?: string): RunResult => ({
  ok: false,
  message: `${what} needs a shell: set 'shell: true'${alternative === undefined ? '' : ` or ${alternative}`}`,
});

/** The argv to spawn: scripts named directly (`server.js --port 1`) run with node, as with PM2. */
export const commandFor = (argv: readonly string[]): string[] => {
  const [first, ...rest] = argv;
  return first !== undefined && NODE_SCRIPT.test(first) ? ['node', first, ...rest] : [...argv];
};

/** Whether argv runs a Node script: what cluster mode can fork. */
export const isNodeCommand = (argv: readonly string[]): boolean => {
  const first = argv[0] ?? '';
  const base = first.slice(first.lastIndexOf('/') + 1);
  return base === 'node' || base === 'nodejs' || NODE_SCRIPT.test(first);
};
