// The pre-flight's I/O half: read, once, what the plan needs to know about the host — who holds
// the ports the file wants, the process groups of supervised instances, paths that are missing.
// Run by the daemon before apply and by the CLI before diff, so both plan from the same facts.
import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { AppSpec, DesiredState } from '../config/desired.js';
import { instancePorts, protocolOf } from '../config/modes.js';
import { nodeScript } from '../config/node-script.js';
import { isNodeCommand } from '../config/run-command.js';
import { childrenLookup } from '../process/descendants.js';
import { findPortHolders } from '../process/port-holders.js';
import { readProcStat } from '../process/proc-stat.js';
import type { ActualState } from '../supervisor/view.js';
import type { HostFacts } from './types.js';

const cwdProblem = (cwd: string): string | undefined => {
  try {
    return statSync(cwd).isDirectory() ? undefined : `cwd ${cwd} is not a directory`;
  } catch {
    return `cwd ${cwd} does not exist`;
  }
};

const exists = (path: string, what: 'file' | 'dir'): boolean => {
  try {
    const s = statSync(path);
    return what === 'file' ? s.isFile() : s.isDirectory();
  } catch {
    return false;
  }
};

/** The script of `node <script>` (or a cluster app) must still exist: validation's words (config/file-checks.ts). */
const scriptProblem = (spec: AppSpec): string | undefined => {
  if (spec.shell || !isNodeCommand(spec.command)) return undefined;
  // normalize.ts turns a bare `server.js` into `node server.js`: argv[0] is node here.
  const script = nodeScript(spec.command.slice(1));
  if (script.kind !== 'script' || script.script === '') return undefined;
  const abs = resolve(spec.cwd, script.script);
  // What node itself tries for its main module, as validation does.
  if ([abs, `${abs}.js`, `${abs}.json`, `${abs}.node`].some((p) => exists(p, 'file')) || exists(abs, 'dir')) return undefined;
  return `script not found: ${script.script}${isAbsolute(script.script) ? '' : ` (resolved from cwd ${spec.cwd})`}`;
};

export const gatherHostFacts = (desired: DesiredState, actual: ActualState, daemonPid: number | undefined): HostFacts => {
  // Each protocol's table is read only for the ports of the apps that use it (SPEC §14).
  const portsOf = (protocol: 'tcp' | 'udp'): number[] =>
    desired.apps.filter((s) => protocolOf(s) === protocol).flatMap((s) => instancePorts(s, 0, s.instances));
  const udpPorts = portsOf('udp');
  const groups = new Map<number, number>();
  // Only an app with a port can be found holding one (preflight's `holds`): at 1,000 instances,
  // mostly port-less, reading every instance's stat cost tens of ms of every diff and apply.
  for (const app of actual.apps) {
    if (app.spec.port === undefined) continue;
    for (const i of app.instances) {
      const pgrp = i.pid === undefined ? undefined : readProcStat(i.pid)?.pgrp;
      if (i.pid !== undefined && pgrp !== undefined) groups.set(i.pid, pgrp);
    }
  }
  const missing = new Map<string, string>();
  for (const spec of desired.apps) {
    const problem = cwdProblem(spec.cwd) ?? scriptProblem(spec);
    if (problem !== undefined) missing.set(spec.name, problem);
  }
  // What orch runs listens in the daemon (socket mode) or its children (fork instances, cluster
  // primaries): look there before reading every process's fds, leaving out the instances of apps
  // without a port (most of them, at 1,000 instances). One of those holding a wanted port anyway
  // leaves its socket unaccounted for, and the full pass finds it.
  // The daemon itself only if a socket-mode app may be there: it holds two pipes per instance.
  const portless = new Set(actual.apps.filter((a) => a.spec.port === undefined).flatMap((a) => a.instances.map((i) => i.pid)));
  const socketMode = [...desired.apps, ...actual.apps.map((a) => a.spec)].some((s) => s.mode === 'socket');
  const children = daemonPid === undefined ? [] : childrenLookup()(daemonPid).filter((pid) => !portless.has(pid));
  const candidates = daemonPid !== undefined && socketMode ? [daemonPid, ...children] : children;
  return {
    listeners: findPortHolders(portsOf('tcp'), 'tcp', candidates),
    ...(udpPorts.length === 0 ? {} : { udpListeners: findPortHolders(udpPorts, 'udp', candidates) }),
    groups,
    daemonPid,
    missing,
  };
};
