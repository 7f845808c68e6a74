// Containment by cgroup v2 (SPEC §10): where the daemon may create cgroups below its own, each
// instance runs in a cgroup of its own, `<daemon's cgroup>/orch-<home hash>/<app>.<index>.<n>`,
// and stopping the instance kills the whole cgroup: a grandchild that called setsid() or double
// forked leaves the process group but never its cgroup. Elsewhere orch uses the process group.
//
// The cgroup v2 "no internal processes" rule forbids processes in a cgroup whose subtree_control
// enables controllers. The daemon's own cgroup already holds the daemon, so it enables none (or is
// the root, where the rule does not apply); orch enables none in what it creates, so the daemon
// stays where it is and the instance leaves hold processes.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type CgroupSupport = { readonly ok: true; readonly base: string } | { readonly ok: false; readonly reason: string };

/** The cgroup v2 mount point and its root, from mountinfo text; undefined when none is mounted. */
export const cgroup2Mount = (mountinfo: string): { readonly mountPoint: string; readonly root: string } | undefined => {
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    if (right?.split(' ')[0] !== 'cgroup2' || left === undefined) continue;
    const fields = left.split(' ');
    if (fields[3] !== undefined && fields[4] !== undefined) return { root: unescapeMount(fields[3]), mountPoint: unescapeMount(fields[4]) };
  }
  return undefined;
};

const unescapeMount = (s: string): string => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));

/** The process's cgroup v2 path (`0::/a/b` in /proc/self/cgroup), or undefined. */
export const ownCgroupPath = (procCgroup: string): string | undefined => {
  const line = procCgroup.split('\n').find((l) => l.startsWith('0::'));
  return line === undefined ? undefined : line.slice(3);
};

/** `orch-<12 hex of the home's path>`: two daemons (two ORCH_HOMEs) never share a subtree. */
export const homeCgroupName = (home: string): string => `orch-${createHash('sha256').update(home).digest('hex').slice(0, 12)}`;

/**
 * Finds (and creates) the subtree for the daemon of `home`, or says why there is none. Whatever a
 * dead predecessor left in it is killed and removed first: its instances were reaped with it.
 */
export const prepareCgroups = (home: string): CgroupSupport => {
  if (process.platform !== 'linux') return { ok: false, reason: 'cgroups exist on Linux only' };
  let mountinfo: string;
  let own: string | undefined;
  try {
    mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
    own = ownCgroupPath(readFileSync('/proc/self/cgroup', 'utf8'));
  } catch (e) {
    return { ok: false, reason: `cannot read /proc: ${(e as Error).message}` };
  }
  const mount = cgroup2Mount(mountinfo);
  if (mount === undefined || own === undefined) return { ok: false, reason: 'no cgroup v2 hierarchy is mounted' };
  // In a cgroup namespace both are relative to the same root; otherwise the mount's root is a prefix.
  const relative = mount.root !== '/' && own.startsWith(mount.root) ? own.slice(mount.root.length) : own;
  const base = join(mount.mountPoint, relative, homeCgroupName(home));
  try {
    mkdirSync(base, { recursive: true });
    for (const entry of readdirSync(base, { withFileTypes: true })) if (entry.isDirectory()) void killCgroup(join(base, entry.name)).then(removeCgroup);
    // Proof that processes can be moved here: the controllers file is there and writable dirs work.
    readFileSync(join(base, 'cgroup.procs'), 'utf8');
  } catch (e) {
    return { ok: false, reason: `cannot create cgroups under ${join(mount.mountPoint, relative)}: ${(e as Error).message}` };
  }
  return { ok: true, base };
};

let seq = 0;
/** Creates an instance's cgroup; its `cgroup.procs` is where its first process writes its pid. */
export const createInstanceCgroup = (base: string, app: string, index: number): string => {
  const dir = join(base, `${app.replace(/[^A-Za-z0-9_-]/g, '_')}.${index}.${(seq++).toString(36)}`);
  mkdirSync(dir);
  return dir;
};

/** Pids in the cgroup now (none when it is gone). */
export const cgroupPids = (dir: string): number[] => {
  try {
    return readFileSync(join(dir, 'cgroup.procs'), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map(Number);
  } catch {
    return [];
  }
};

/** Sends `signal` to every process of the cgroup; the number signalled. */
export const signalCgroup = (dir: string, signal: NodeJS.Signals): number => {
  let n = 0;
  for (const pid of cgroupPids(dir)) {
    try {
      process.kill(pid, signal);
      n++;
    } catch {
      // exited meanwhile
    }
  }
  return n;
};

const POLL_MS = 25;
const KILL_WAIT_MS = 3000;

/**
 * SIGKILLs every process of the cgroup and resolves once it is empty (or after a few seconds):
 * `cgroup.kill` where the kernel has it (5.14+, atomic, forks included), else SIGKILL to every pid
 * listed, repeated until none is left (a process forking meanwhile is caught by the next pass).
 */
export const killCgroup = async (dir: string): Promise<string> => {
  let atomic = true;
  try {
    writeFileSync(join(dir, 'cgroup.kill'), '1');
  } catch {
    atomic = false;
  }
  const deadline = Date.now() + KILL_WAIT_MS;
  for (;;) {
    if (!atomic) signalCgroup(dir, 'SIGKILL');
    if (cgroupPids(dir).length === 0 || Date.now() > deadline) return dir;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
};

/** Removes an empty cgroup (false when it still holds processes or is already gone). */
export const removeCgroup = (dir: string): boolean => {
  try {
    rmdirSync(dir);
    return true;
  } catch {
    return false;
  }
};

/** The cgroups of one daemon's instances: prepared on first use; `create` is undefined where unsupported. */
export class InstanceCgroups {
  private support: CgroupSupport | undefined;

  constructor(private readonly home: string) {}

  /** Why instances are not contained (only the process group is), or undefined when they are. */
  unsupported(): string | undefined {
    const support = this.prepare();
    return support.ok ? undefined : support.reason;
  }

  /** A new cgroup for one process of the instance, or undefined without cgroup support. */
  create(app: string, index: number): string | undefined {
    const support = this.prepare();
    if (!support.ok) return undefined;
    try {
      return createInstanceCgroup(support.base, app, index);
    } catch {
      return undefined; // removed under us, or a limit on descendants: the process group remains
    }
  }

  /** Removes the daemon's subtree once its instances' cgroups are gone (daemon shutdown). */
  close(): void {
    if (this.support?.ok !== true) return;
    const { base } = this.support;
    // An instance killed without waiting (killProcessGroup) may still be emptying its cgroup.
    if (!removeCgroup(base)) setTimeout(() => removeCgroup(base), KILL_WAIT_MS + 500).unref();
  }

  private prepare(): CgroupSupport {
    this.support ??= prepareCgroups(this.home);
    return this.support;
  }
}
