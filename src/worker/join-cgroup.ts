// A cluster worker's first act (SPEC §10): node:cluster forks with no pre-exec hook, so the worker
// moves itself into the cgroup the daemon made for it (`ORCH_CGROUP`), synchronously, from the
// drain preload, before any app code runs: nothing the app forks can start outside it. Stands
// alone (src/worker imports nothing of orch).
import { writeFileSync } from 'node:fs';

/** The variable the daemon sets in a worker's environment: its cgroup's directory. */
export const CGROUP_ENV = 'ORCH_CGROUP';

/**
 * Writes our pid into `<ORCH_CGROUP>/cgroup.procs` and drops the variable, so that the app and
 * whatever it starts never see it. A failed write is not fatal: the worker is then contained by
 * its primary's tracking of its descendants only, as where cgroups are not writable.
 */
export const joinCgroup = (env: NodeJS.ProcessEnv = process.env): boolean => {
  const dir = env[CGROUP_ENV];
  if (dir === undefined) return false;
  Reflect.deleteProperty(env, CGROUP_ENV);
  if (!dir.startsWith('/')) return false;
  try {
    writeFileSync(`${dir}/cgroup.procs`, String(process.pid));
    return true;
  } catch {
    return false;
  }
};
