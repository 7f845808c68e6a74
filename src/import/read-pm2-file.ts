// Reading a PM2 ecosystem file: JSON and JSON5 parsed (PM2 evaluates its .json as a JS
// expression, so comments and trailing commas are allowed there: JSON5 reads both), YAML
// parsed, JS evaluated in a child `node` with a deadline. It is the user's own config, but a
// config that throws, exits or never finishes must not take orch with it.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import JSON5 from 'json5';
import { parse as parseYaml } from 'yaml';
import { OrchError } from '../errors.js';

export const JS_EXTENSIONS = ['.js', '.cjs', '.mjs'];
export const DATA_EXTENSIONS = ['.json', '.json5', '.yaml', '.yml'];

const fail = (file: string, message: string, cause?: unknown): OrchError =>
  new OrchError('ORCH_IMPORT_FAILED', `cannot import ${file}: ${message}`, { cause });

/** The PM2 config object of `file` (what `pm2 start file` would read). */
export const readPm2File = async (file: string, options: { timeoutMs: number }): Promise<unknown> => {
  const ext = extname(file).toLowerCase();
  if (JS_EXTENSIONS.includes(ext)) return evaluateJs(file, options.timeoutMs);
  if (!DATA_EXTENSIONS.includes(ext)) {
    throw fail(file, `unknown extension '${ext}': expected one of ${[...JS_EXTENSIONS, ...DATA_EXTENSIONS].join(', ')}`);
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw fail(file, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message, e);
  }
  try {
    return ext === '.yaml' || ext === '.yml' ? parseYaml(text) : JSON5.parse(text);
  } catch (e) {
    throw fail(file, (e as Error).message, e);
  }
};

// Runs in the child: import() reads CommonJS (module.exports is the default) and ESM alike, as
// `pm2 start` does with require(). The value goes back over IPC, so the config may print freely.
const EVALUATE = `
const { pathToFileURL } = await import('node:url');
const done = (m) => process.send(m, () => process.exit(0));
try {
  const mod = await import(pathToFileURL(process.argv[1]).href);
  const value = mod.default !== undefined ? mod.default : { ...mod };
  done({ ok: true, json: JSON.stringify(value) });
} catch (e) {
  done({ ok: false, message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
}`;

type ChildAnswer = { ok: true; json: string | undefined } | { ok: false; message: string };

const evaluateJs = (file: string, timeoutMs: number): Promise<unknown> => {
  const path = resolve(file);
  return new Promise((resolvePromise, reject) => {
    // cwd: the file's directory, where `pm2 start` of it usually runs (configs use process.cwd()).
    const child = spawn(process.execPath, ['--input-type=module', '-e', EVALUATE, path], {
      cwd: dirname(path),
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    let answer: ChildAnswer | undefined;
    child.on('message', (m: ChildAnswer) => {
      answer ??= m;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(fail(file, `evaluating it did not finish within ${timeoutMs}ms (the node process was killed)${tail(output)}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(fail(file, `cannot run node to evaluate it: ${e.message}`, e));
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (answer?.ok === true) {
        if (answer.json === undefined) reject(fail(file, 'it exports nothing'));
        else resolvePromise(JSON.parse(answer.json) as unknown);
      } else if (answer?.ok === false) {
        reject(fail(file, `evaluating it threw: ${firstLines(answer.message)}`));
      } else if (signal !== 'SIGKILL' || code !== null) {
        reject(fail(file, `evaluating it ended (${signal ?? `exit code ${code ?? '?'}`}) before exporting anything${tail(output)}`));
      }
    });
  });
};

const firstLines = (text: string): string => text.split('\n').slice(0, 4).join('\n');
const tail = (output: string): string => (output.trim() === '' ? '' : `; its output:\n${firstLines(output.trim())}`);
