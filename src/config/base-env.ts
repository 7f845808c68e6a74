// The small part of the caller's environment every instance starts from (SPEC §3). It is used
// to spawn, never compared by the plan: only what the file declares can make a diff.
import type { Env } from './interpolate.js';

const BASE_NAMES = new Set(['PATH', 'HOME', 'USER', 'LANG', 'TZ', 'TMPDIR']);

export const baseEnv = (callerEnv: Env, inheritEnv: readonly string[]): Record<string, string> => {
  const wanted = new Set(inheritEnv);
  const picked = Object.keys(callerEnv)
    .sort()
    .filter((name) => BASE_NAMES.has(name) || name.startsWith('LC_') || wanted.has(name))
    .flatMap((name) => {
      const value = callerEnv[name];
      return value === undefined ? [] : [[name, value] as const];
    });
  return Object.fromEntries(picked);
};
