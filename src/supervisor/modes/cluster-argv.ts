// Cluster mode forks `node [node options] script [args]` from the app's argv: which node binary
// runs the primary (its workers use the same), which options go to execArgv, which file is the
// worker script.
import { accessSync, constants } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

export interface NodeArgv {
  readonly node: string;
  readonly execArgv: readonly string[];
  readonly exec: string;
  readonly args: readonly string[];
}

export type NodeArgvResult = { readonly ok: true; readonly argv: NodeArgv } | { readonly ok: false; readonly reason: string };

const SCRIPT = /\.(c|m)?js$/;
/** Node options whose value is the next argument (when not written `--opt=value`). */
const TAKES_VALUE = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader', '-C', '--conditions', '--title', '--env-file', '--inspect-port']);

const findInPath = (file: string, path: string | undefined): string | undefined => {
  for (const dir of (path ?? '').split(':')) {
    if (dir === '') continue;
    const candidate = `${dir}/${file}`;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // next
    }
  }
  return undefined;
};

export const splitNodeArgv = (command: readonly string[], cwd: string, path: string | undefined): NodeArgvResult => {
  const [first, ...rest] = command;
  if (first === undefined) return { ok: false, reason: 'empty command' };
  const base = first.slice(first.lastIndexOf('/') + 1);
  let node: string;
  let tail: readonly string[];
  // WARNING: never fall back to the daemon's own node: the app would run another version than its
  // PATH names, silently. A node that does not resolve fails in fork mode's words.
  if (base === 'node' || base === 'nodejs') {
    const found = first.includes('/') ? resolve(cwd, first) : findInPath(first, path);
    if (found === undefined) return { ok: false, reason: `command not found: ${first}` };
    node = found;
    tail = rest;
  } else if (SCRIPT.test(first)) {
    const found = findInPath('node', path);
    if (found === undefined) return { ok: false, reason: 'command not found: node' };
    node = found;
    tail = command;
  } else {
    return { ok: false, reason: `mode cluster runs Node scripts only, got '${first}'` };
  }
  const execArgv: string[] = [];
  let k = 0;
  while (k < tail.length && (tail[k] ?? '').startsWith('-')) {
    const option = tail[k] ?? '';
    execArgv.push(option);
    if (TAKES_VALUE.has(option) && k + 1 < tail.length) execArgv.push(tail[++k] ?? '');
    k++;
  }
  const script = tail[k];
  if (script === undefined) return { ok: false, reason: 'mode cluster needs a script to run: node [options] <script> [args]' };
  return { ok: true, argv: { node, execArgv, exec: isAbsolute(script) ? script : resolve(cwd, script), args: tail.slice(k + 1) } };
};
