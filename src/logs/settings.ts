// Daemon-wide log settings, read from the daemon's environment (the schema has no per-app keys):
//   ORCH_LOG_MAX_SIZE  rotate `<app>.log` once it would grow past this size (default 10M; K/M/G)
//   ORCH_LOG_KEEP      rotated files kept per app, `<app>.log.1` … `.N` (default 5; 0 keeps none)
import { sizeBytes } from '../config/size.js';

export interface LogSettings {
  readonly maxBytes: number;
  readonly keep: number;
}

export const DEFAULT_LOG_SETTINGS: LogSettings = { maxBytes: 10 * 1024 ** 2, keep: 5 };

export interface SettingsResult {
  readonly settings: LogSettings;
  /** Variables that were set but unusable (the default was used instead). */
  readonly problems: readonly string[];
}

export const logSettingsFromEnv = (env: NodeJS.ProcessEnv): SettingsResult => {
  const problems: string[] = [];
  let { maxBytes, keep } = DEFAULT_LOG_SETTINGS;
  const size = env.ORCH_LOG_MAX_SIZE;
  if (size !== undefined && size !== '') {
    if (/^\d+[KMG]?$/.test(size) && sizeBytes(size) > 0) maxBytes = sizeBytes(size);
    else problems.push(`ORCH_LOG_MAX_SIZE=${size} is not a size like 10M`);
  }
  const kept = env.ORCH_LOG_KEEP;
  if (kept !== undefined && kept !== '') {
    if (/^\d+$/.test(kept)) keep = Number(kept);
    else problems.push(`ORCH_LOG_KEEP=${kept} is not a whole number`);
  }
  return { settings: { maxBytes, keep }, problems };
};
