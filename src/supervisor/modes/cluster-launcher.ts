// Cluster mode: one shared primary per node binary (dist/cluster-primary.js, started by the
// daemon: its own process group, an IPC channel), serving the cluster apps of this ORCH_HOME that
// run on that binary; every instance is a worker it forked on our command, with the app's own
// exec, args, execArgv, cwd and environment. One primary costs ~43 MB of RSS whatever it serves;
// each app in it adds ~0.1 MB (README, Design: "One cluster primary for many apps").
import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { AppSpec } from '../../config/desired.js';
import { canOverlap as modeCanOverlap } from '../../config/modes.js';
import type { LogCapture } from '../../logs/capture.js';
import { type InstanceCgroups, killCgroup, removeCgroup } from '../../process/cgroup.js';
import { CGROUP_ENV } from '../../worker/join-cgroup.js';
import { splitNodeArgv } from './cluster-argv.js';
import { PrimaryProcess } from './cluster-primary-process.js';
import type { WorkerId } from './cluster-protocol.js';
import type { WorkerProxy } from './cluster-worker-proxy.js';
import type { ChildHandle, LaunchResult, Launcher } from './launcher.js';
import { instanceEnv } from './spawn.js';

/** dist/cluster-primary.js, found from this module whether it runs from src/ (tests) or dist/. */
export const locatePrimaryScript = (): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    const candidates = basename(dir) === 'dist' ? [join(dir, 'cluster-primary.js')] : [join(dir, 'dist', 'cluster-primary.js')];
    for (const candidate of candidates) if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('dist/cluster-primary.js not found: run `npm run build`');
};

/** How long a primary that serves nobody any more gets to drain and exit. */
const CLOSE_TIMEOUT_MS = 5000;

export class ClusterLauncher implements Launcher {
  /** Keyed by the real path of the node binary: a primary forks its workers with its own. */
  private readonly primaries = new Map<string, PrimaryProcess>();
  private nextId = 1;
  private script: string | undefined;

  constructor(
    private readonly logs: LogCapture,
    private readonly logger: Logger,
    private readonly onSpawned?: (pid: number) => void,
    /** Where cgroup v2 is writable, each worker runs in a cgroup of its own (SPEC §10). */
    private readonly cgroups?: InstanceCgroups,
  ) {}

  instancePort(spec: AppSpec): number | undefined {
    return spec.port;
  }

  canOverlap(spec: AppSpec): boolean {
    return modeCanOverlap(spec);
  }

  async launch(spec: AppSpec, index: number): Promise<LaunchResult> {
    // The instance's PATH, as fork mode resolves its command: the file's env may set it.
    const split = splitNodeArgv(spec.command, spec.cwd, instanceEnv(spec, index, spec.port).PATH);
    if (!split.ok) return split;
    if (!existsSync(spec.cwd)) return { ok: false, reason: `cwd not found: ${spec.cwd}` };
    const found = this.primaryFor(split.argv.node);
    if (!found.ok) return found;
    const { primary } = found;
    // A member before the first await: a release of another app meanwhile must not close it.
    primary.apps.add(spec.name);
    const started = await primary.started;
    if (!started.ok) return started;
    const { node: _node, ...argv } = split.argv;
    // Made before the fork: the worker's drain preload moves it there before any app code runs
    // (src/worker/join-cgroup.ts). Never a value from the spec's env: that one is ours only.
    const cgroup = this.cgroups?.create(spec.name, index);
    const { [CGROUP_ENV]: _unused, ...env } = instanceEnv(spec, index, spec.port);
    const id = this.nextId++;
    const attach = (proxy: WorkerProxy): void => {
      this.logs.attach(spec.name, index, 'out', proxy.out);
      this.logs.attach(spec.name, index, 'err', proxy.err);
    };
    const result = await primary.fork(
      spec.name,
      {
        id,
        ...argv,
        cwd: spec.cwd,
        env: cgroup === undefined ? env : { ...env, [CGROUP_ENV]: cgroup },
        shutdown: { signal: spec.shutdown.signal, timeoutMs: spec.shutdown.timeoutMs },
      },
      attach,
      cgroup,
    );
    // A primary that died mid-fork may have left the worker's children there.
    if (!result.ok && cgroup !== undefined) void killCgroup(cgroup).then(removeCgroup);
    return result.ok ? { ok: true, child: this.armable(primary, spec.name, index, id, result.child, attach) } : result;
  }

  /**
   * Worker `id`'s handle, whose `armRestart` reserves a successor (an id, a cgroup of its own) that
   * the primary forks at the worker's unrequested exit; adopted, the successor is armable in turn.
   */
  private armable(primary: PrimaryProcess, app: string, index: number, id: WorkerId, child: ChildHandle, attach: (proxy: WorkerProxy) => void): ChildHandle {
    return {
      ...child,
      armRestart: (free) => {
        const successor = this.nextId++;
        const adopt = (proxy: WorkerProxy): ChildHandle => {
          attach(proxy);
          return this.armable(primary, app, index, successor, proxy.handle(), attach);
        };
        primary.arm(id, { id: successor, app, cgroup: this.cgroups?.create(app, index), adopt }, free);
      },
    };
  }

  /**
   * The app runs no instance any more. Its workers are gone already (the supervisor stopped
   * them); the primary stays for the other apps it serves, and exits with the last of them.
   */
  async release(app: string): Promise<void> {
    const closing: Promise<void>[] = [];
    for (const [node, primary] of this.primaries) {
      if (!primary.apps.delete(app) || primary.apps.size > 0) continue;
      this.primaries.delete(node);
      closing.push(primary.close(CLOSE_TIMEOUT_MS));
    }
    await Promise.all(closing);
  }

  async close(): Promise<void> {
    const all = [...this.primaries.values()];
    this.primaries.clear();
    await Promise.all(all.map((primary) => primary.close(CLOSE_TIMEOUT_MS)));
  }

  private primaryFor(node: string): { ok: true; primary: PrimaryProcess } | { ok: false; reason: string } {
    // WARNING: one binary, one primary. A version-manager shim that picks a node by directory
    // (Volta's) resolves here once, with the primary's cwd: name the real binary in `run`.
    let key = node;
    try {
      key = realpathSync(node);
    } catch {
      // spawn reports it
    }
    const existing = this.primaries.get(key);
    if (existing !== undefined && !existing.dead) return { ok: true, primary: existing };
    try {
      this.script ??= locatePrimaryScript();
    } catch (err) {
      return { ok: false, reason: err instanceof Error ? err.message : String(err) };
    }
    const primary = new PrimaryProcess(node, this.script, this.logger.child({ component: 'cluster-primary', node: key }));
    this.primaries.set(key, primary);
    if (primary.pid !== undefined) this.onSpawned?.(primary.pid);
    void primary.gone.then(() => {
      if (this.primaries.get(key) === primary) this.primaries.delete(key);
    });
    return { ok: true, primary };
  }
}
