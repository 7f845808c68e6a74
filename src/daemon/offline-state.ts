// Editing the persisted state while no daemon runs, for `orch down`: starting a daemon to do it
// would first resurrect the very project being removed. Safe against a daemon starting at the same
// moment because the edit holds the daemon's own lock (as an editor, see lock.ts): a daemon reads
// the state only once it holds that lock, so it sees the state either before the edit or after.
import { acquireLock, releaseLock } from './lock.js';
import type { HomePaths } from './paths.js';
import { readState, withoutProject, writeState } from './state-store.js';

export type OfflineRemoval =
  /** The project was removed from the persisted state; `apps` are the app names it had, sorted. */
  | { readonly kind: 'removed'; readonly apps: readonly string[] }
  /** The persisted state holds no such project (or is unreadable, which a daemon would start empty from). */
  | { readonly kind: 'absent' }
  /** A daemon holds the lock (starting, running or stopping): it is the one to ask. */
  | { readonly kind: 'daemon-running' };

export const removeProjectWithoutDaemon = async (paths: HomePaths, project: string): Promise<OfflineRemoval> => {
  // Read first without the lock: a project that is not there needs no lock, and no ORCH_HOME is created.
  const peek = readState(paths.state);
  if (!peek.ok || withoutProject(peek.state, project) === undefined) return { kind: 'absent' };
  if (!acquireLock(paths.lock, process.pid, 'edit').acquired) return { kind: 'daemon-running' };
  try {
    // Read again under the lock: a daemon may have run and changed it since the peek.
    const loaded = readState(paths.state);
    const next = loaded.ok ? withoutProject(loaded.state, project) : undefined;
    if (!loaded.ok || next === undefined) return { kind: 'absent' };
    await writeState(paths.state, next.state, loaded.state);
    return { kind: 'removed', apps: next.apps };
  } finally {
    releaseLock(paths.lock);
  }
};
