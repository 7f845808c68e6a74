// The git commit of the ecosystem file, recorded with each generation (GitOps: which commit runs).
import { execFile } from 'node:child_process';
import { basename, dirname, resolve } from 'node:path';
import type { FileSource } from '../daemon/protocol.js';

const git = (cwd: string, args: string[]): Promise<string | undefined> =>
  new Promise((done) => {
    execFile('git', args, { cwd, timeout: 5000 }, (err, stdout) => done(err ? undefined : stdout.trim()));
  });

/** `{ commit, dirty }` when the file is tracked in a git work tree; `{}` otherwise. */
export const gitSource = async (file: string): Promise<FileSource> => {
  const path = resolve(file);
  const dir = dirname(path);
  const [commit, changes] = await Promise.all([
    git(dir, ['rev-parse', 'HEAD']),
    git(dir, ['status', '--porcelain', '--', basename(path)]),
  ]);
  if (commit === undefined || changes === undefined) return {};
  return { commit, dirty: changes !== '' };
};
