// ORCH_HOME is the daemon's only door (its control socket starts and kills processes as its
// owner), so it is never trusted blindly (SPEC §10): a symlink or another user's directory is
// refused; orch creates it 0700 when absent; and it never changes the mode of a directory it did
// not create: what it writes is kept private by its own files' modes (0600) and folders' (0700).
import { accessSync, chmodSync, constants, lstatSync, mkdirSync } from 'node:fs';
import { OrchError } from '../errors.js';

const unusable = (home: string, why: string, cause?: unknown): OrchError =>
  new OrchError('ORCH_HOME_UNUSABLE', `cannot use ORCH_HOME ${home}: ${why}`, { cause });

/**
 * Refuses an ORCH_HOME that is a symlink, not a directory, or owned by another user. An absent
 * one passes (it is created by `ensureHome` when a daemon is needed). One `lstat`: every command
 * runs it, `orch status` included.
 */
export const checkHome = (home: string): void => {
  let st;
  try {
    st = lstatSync(home);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    throw unusable(home, code === 'ENOTDIR' ? 'a path component is not a directory' : (e as Error).message, e);
  }
  // WARNING: lstat, not stat: a symlink to /etc would otherwise pass as a directory we own (as root).
  if (st.isSymbolicLink()) throw unusable(home, 'it is a symlink; point ORCH_HOME at a real directory you own');
  if (!st.isDirectory()) throw unusable(home, 'it is not a directory; point ORCH_HOME at a directory you own');
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) {
    throw unusable(home, `it is owned by uid ${st.uid}, not by you (uid ${uid}); point ORCH_HOME at a directory you own, or unset it to use ~/.orch`);
  }
};

/** Checks ORCH_HOME, creates it 0700 (with any missing parents) when absent, and its logs folder. */
export const ensureHome = (paths: { readonly home: string; readonly logs: string }): void => {
  checkHome(paths.home);
  try {
    const created = mkdirSync(paths.home, { recursive: true, mode: 0o700 });
    // Created by us, so its mode is ours to set: exactly 0700, whatever bits the umask removed.
    if (created !== undefined) chmodSync(paths.home, 0o700);
    // Again after creating: something may have put a symlink there meanwhile.
    checkHome(paths.home);
    accessSync(paths.home, constants.W_OK | constants.X_OK);
    mkdirSync(paths.logs, { recursive: true, mode: 0o700 });
  } catch (e) {
    if (e instanceof OrchError) throw e;
    const err = e as NodeJS.ErrnoException;
    throw unusable(paths.home, err.code === 'ENOTDIR' || err.code === 'EEXIST' ? 'a path component is not a directory' : err.message, e);
  }
};
