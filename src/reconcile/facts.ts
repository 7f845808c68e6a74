// The pre-flight's I/O half: read, once, what the plan needs to know about the host — who holds
// the ports the file wants, the process groups of supervised instances, paths that are missing.
// Run by the daemon before apply and by the CLI before diff, so both plan from the same facts.
import { statSync } from 'node:fs';
import type { DesiredState } from '../config/desired.js';
import { instancePorts } from '../config/modes.js';
import { findPortHolders } from '../process/port-holders.js';
import { readProcStat } from '../supervisor/proc-stat.js';
import type { ActualState, HostFacts } from './types.js';

const cwdProblem = (cwd: string): string | undefined => {
  try {
    return statSync(cwd).isDirectory() ? undefined : `cwd ${cwd} is not a directory`;
  } catch {
    return `cwd ${cwd} does not exist`;
  }
};

export const gatherHostFacts = (desired: DesiredState, actual: ActualState, daemonPid: number | undefined): HostFacts => {
  const ports = desired.apps.flatMap((s) => instancePorts(s, 0, s.instances));
  const groups = new Map<number, number>();
  for (const app of actual.apps) {
    for (const i of app.instances) {
      const pgrp = i.pid === undefined ? undefined : readProcStat(i.pid)?.pgrp;
      if (i.pid !== undefined && pgrp !== undefined) groups.set(i.pid, pgrp);
    }
  }
  const missing = new Map<string, string>();
  for (const spec of desired.apps) {
    const problem = cwdProblem(spec.cwd);
    if (problem !== undefined) missing.set(spec.name, problem);
  }
  return { listeners: findPortHolders(ports), groups, daemonPid, missing };
};
