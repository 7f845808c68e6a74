// Where an app's logs live: `${home}/logs/<app>.log`, rotated to `<app>.log.1` (newest) …
// `<app>.log.<keep>` (oldest).
import { stat } from 'node:fs/promises';
import { join } from 'node:path';

export const logDir = (home: string): string => join(home, 'logs');

export const logFilePath = (home: string, app: string): string => join(logDir(home), `${app}.log`);

/** `<file>.<generation>`; generation 0 is the live file itself. */
export const rotatedPath = (file: string, generation: number): string => (generation === 0 ? file : `${file}.${generation}`);

const LOG_NAME = /^(.+)\.log(?:\.(\d+))?$/;

/** App names that have a log file (live or rotated) among `entries` of the log directory, sorted. */
export const appsWithLogs = (entries: readonly string[]): string[] => {
  const apps = new Set<string>();
  for (const entry of entries) {
    const match = LOG_NAME.exec(entry);
    if (match?.[1] !== undefined) apps.add(match[1]);
  }
  return [...apps].sort();
};

/** Every file of `app` among `entries` (live and rotated, any generation). */
export const logFilesOf = (entries: readonly string[], app: string): string[] =>
  entries.filter((entry) => LOG_NAME.exec(entry)?.[1] === app);

export const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

/** The inode of the file now at `path`, or undefined when there is none: how a rotation is noticed. */
export const inodeOf = (path: string): Promise<number | undefined> =>
  stat(path).then(
    (s) => s.ino,
    () => undefined,
  );
