// The daemon's memory across its own death: the last applied desired state of every project,
// written atomically (write-file-atomic: temp file, fsync, rename) before anything is acted on.
import { readFileSync } from 'node:fs';
import writeFileAtomic from 'write-file-atomic';
import type { DesiredState } from '../config/desired.js';

export interface PersistedState {
  readonly version: 1;
  /** Project name → the desired state last applied for it. */
  readonly projects: Readonly<Record<string, DesiredState>>;
  /** Apps stopped by `orch stop`, kept stopped across a daemon restart. */
  readonly stopped: readonly string[];
}

export const emptyState = (): PersistedState => ({ version: 1, projects: {}, stopped: [] });

export type ReadStateResult =
  | { readonly ok: true; readonly state: PersistedState }
  | { readonly ok: false; readonly reason: string };

export const readState = (path: string): ReadStateResult => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, state: emptyState() };
    return { ok: false, reason: `cannot read ${path}: ${(e as Error).message}` };
  }
  try {
    const parsed = JSON.parse(text) as PersistedState;
    if (parsed.version !== 1 || typeof parsed.projects !== 'object' || parsed.projects === null) {
      return { ok: false, reason: `${path} is not an orch state file (version ${String(parsed.version)})` };
    }
    return { ok: true, state: { version: 1, projects: parsed.projects, stopped: parsed.stopped ?? [] } };
  } catch (e) {
    return { ok: false, reason: `${path} is corrupt: ${(e as Error).message}` };
  }
};

export const writeState = async (path: string, state: PersistedState): Promise<void> => {
  await writeFileAtomic(path, JSON.stringify(state), { mode: 0o600 });
};
