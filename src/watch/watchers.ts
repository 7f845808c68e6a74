// chokidar, wrapped: the ecosystem file (through its directory) and an app's watch paths.
import { WATCH_IGNORE_DEFAULT } from '../config/normalize.js';
import { basename, dirname, relative, sep } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { isIgnored } from './glob.js';

export interface Watching {
  /** Resolves once the initial scan is done: from then on every change is reported. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * WARNING: chokidar drops a `change` of a path within 50 ms of the previous one it reported
 * (its own throttle). The requests re-read the file when they run, so nothing is lost as long as
 * they run later than that after the last reported event: debounces are at least this.
 */
export const MIN_DEBOUNCE_MS = 60;

/** Always ignored, whatever an app's `ignore` says. */
export const ALWAYS_IGNORED = WATCH_IGNORE_DEFAULT;

/**
 * Watches one file. WARNING: watching the file itself loses it the first time an editor (vim, an
 * IDE) or `git checkout` replaces it by renaming another file over it — the watched inode is gone.
 * So the directory is watched, filtered to the file's name.
 */
export const watchFile = (file: string, onChange: () => void, onError: (e: Error) => void): Watching => {
  const dir = dirname(file);
  const name = basename(file);
  const watcher = watch(dir, {
    depth: 0,
    ignoreInitial: true,
    // An unlink followed by an add within 100 ms (a rename-over save) is reported as one change.
    atomic: true,
    ignored: (path) => path !== dir && basename(path) !== name,
  });
  watcher.on('all', (event, path) => {
    if ((event === 'add' || event === 'change') && basename(path) === name) onChange();
  });
  return wrap(watcher, onError);
};

export interface PathsSpec {
  /** Absolute. */
  readonly paths: readonly string[];
  readonly ignore: readonly string[];
  /** Absolute paths never reported (the ecosystem file, ORCH_HOME): they have watchers of their own or are orch's. */
  readonly exclude: readonly string[];
}

/** Watches an app's paths; `onEvent` gets each changed path that is not ignored. */
export const watchPaths = (spec: PathsSpec, onEvent: (path: string) => void, onError: (e: Error) => void): Watching => {
  const ignored = ignoreFilter(spec);
  const watcher = watch([...spec.paths], { ignoreInitial: true, atomic: true, ignored: (path) => ignored(path) });
  watcher.on('all', (_event, path) => {
    if (!ignored(path)) onEvent(path);
  });
  return wrap(watcher, onError);
};

/** The `ignored` test for absolute paths: patterns apply to the path relative to the watch root holding it. */
export const ignoreFilter = (spec: PathsSpec): ((path: string) => boolean) => {
  const patterns = [...new Set([...ALWAYS_IGNORED, ...spec.ignore])];
  return (path) => {
    if (spec.exclude.some((x) => path === x || path.startsWith(x + sep))) return true;
    const root = spec.paths.find((r) => path === r || path.startsWith(r + sep));
    if (root === undefined) return false;
    return isIgnored(relative(root, path).split(sep).join('/'), patterns);
  };
};

const wrap = (watcher: FSWatcher, onError: (e: Error) => void): Watching => {
  watcher.on('error', (e) => onError(e instanceof Error ? e : new Error(String(e))));
  return {
    ready: new Promise((resolve) => watcher.once('ready', () => resolve())),
    close: () => watcher.close(),
  };
};
