// ORCH_HOME must be a directory only its owner can enter: the control socket inside it is the
// daemon's only door.
import { accessSync, chmodSync, constants, mkdirSync, statSync } from 'node:fs';
import { OrchError } from '../errors.js';
import type { HomePaths } from './paths.js';

export const ensureHome = (paths: HomePaths): void => {
  try {
    mkdirSync(paths.home, { recursive: true, mode: 0o700 });
    const st = statSync(paths.home);
    if (!st.isDirectory()) throw new Error('not a directory');
    if (typeof process.getuid === 'function' && st.uid !== process.getuid()) {
      throw new Error(`owned by uid ${st.uid}, not by you (uid ${process.getuid()})`);
    }
    if ((st.mode & 0o077) !== 0) chmodSync(paths.home, 0o700);
    accessSync(paths.home, constants.W_OK | constants.X_OK);
    mkdirSync(paths.logs, { recursive: true, mode: 0o700 });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOTDIR' || err.code === 'EEXIST' ? 'a path component is not a directory' : err.message;
    throw new OrchError('ORCH_HOME_UNUSABLE', `cannot use ORCH_HOME ${paths.home}: ${why}`, { cause: e });
  }
};
