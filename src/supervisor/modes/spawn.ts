// Starting one instance's process, for fork and socket modes: a child leading its own process
// group, with an environment computed from the spec only (never the daemon's own).
import { statSync } from 'node:fs';
import { execa, type Options } from 'execa';
import type { AppSpec } from '../../config/desired.js';
import type { LogCapture } from '../../logs/capture.js';
import type { InstanceCgroups } from '../../process/cgroup.js';
import { removeCgroup } from '../../process/cgroup.js';
import { killProcessGroup, stopProcessGroup } from '../../process/process-group.js';
import type { NotifySocket, NotifySockets } from '../notify-socket.js';
import { type FreeRestart, isFreeExit } from '../restart-policy.js';
import type { ExitInfo, LaunchResult, Successor } from './launcher.js';

/** ORCH_BUS and ORCH_BUS_TOKEN of an instance, from the daemon's message bus (src/daemon/bus.ts). */
export type BusEnv = (project: string, app: string, index: number) => Readonly<Record<string, string>>;
let busEnv: BusEnv = () => ({});
/**
 * WARNING: process-wide: the daemon that runs a bus calls this once before starting any instance
 * (the supervisor cannot import the daemon); without it instances get no ORCH_BUS.
 */
export const provideBusEnv = (fn: BusEnv): void => {
  busEnv = fn;
};

export const instanceEnv = (spec: AppSpec, index: number, port: number | undefined): Record<string, string> => ({
  ...spec.baseEnv,
  ...spec.env,
  ORCH_APP: spec.name,
  ORCH_INSTANCE: String(index),
  ORCH_PROJECT: spec.project,
  ...busEnv(spec.project, spec.name, index),
  ...(port === undefined ? {} : { PORT: String(port) }),
});

const codeOf = (e: unknown): string | undefined => {
  const direct = (e as { code?: unknown } | undefined)?.code;
  if (typeof direct === 'string') return direct;
  const cause = (e as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return typeof cause === 'string' ? cause : undefined;
};

/** A spawn error in the words a user needs ("command not found: foo"). */
export const describeSpawnError = (command: string, error: unknown): string => {
  switch (codeOf(error)) {
    case 'ENOENT':
      return `command not found: ${command}`;
    case 'EACCES':
      return `permission denied: ${command}`;
    case 'ENOEXEC':
      return `not an executable: ${command}`;
    default: {
      const message = (error as { shortMessage?: string; message?: string } | undefined)?.shortMessage ?? String(error);
      return `cannot start ${command}: ${message}`;
    }
  }
};

// The checks before a spawn stat synchronously: a few microseconds each, where a trip through
// libuv's thread pool, shared with the log writes, took up to a millisecond of a timed respawn.
const missingCwd = (cwd: string): string | undefined => {
  try {
    return statSync(cwd).isDirectory() ? undefined : `cwd is not a directory: ${cwd}`;
  } catch {
    return `cwd not found: ${cwd}`;
  }
};

/** What every fork- and socket-mode spawn needs from the daemon. */
export interface SpawnContext {
  readonly logs: LogCapture;
  readonly notify: NotifySockets;
  /** Where cgroup v2 is writable, each process of an instance starts in a cgroup of its own. */
  readonly cgroups?: InstanceCgroups;
}

/** How a process is started beyond the spec: what socket mode adds. */
export interface SpawnExtras {
  /** Passed to the child as fd 3 (socket mode's listening socket). */
  readonly listenFd?: number;
  readonly env?: Readonly<Record<string, string>>;
  /**
   * A check of the caller's, started before spawnInstance's own and awaited after them (fork
   * mode's port test, which waits a turn of the loop): a reason refuses the spawn.
   */
  readonly refusal?: Promise<string | undefined>;
  /**
   * How the launcher starts this instance again. Given, the handle is armable (`armRestart`): an
   * exit that is a free restart starts the successor in the exit handler itself, before the
   * runner, its events and the app's queue have had a turn.
   */
  readonly relaunch?: () => Promise<LaunchResult>;
}

/**
 * WARNING: systemd's LISTEN_PID must be the instance's own pid, unknown before spawn, and so is the
 * pid a cgroup needs. The command runs through `/bin/sh -c '<steps>; exec "$@"' <procs> argv...`:
 * the shell writes its own pid into the cgroup's `cgroup.procs` ($0) and/or exports it as
 * LISTEN_PID, then execs argv unchanged (argv is never parsed by it), so the pid stays. In its
 * cgroup from its first instruction, nothing the app forks can start outside (writing the pid
 * after spawn would leave a window). A failed cgroup write is not fatal: the instance is then
 * contained by its process group only. dash exports PWD: unset unless the spec's env has it.
 */
const trampoline = (procs: string | undefined, listenPid: boolean, keepPwd: boolean): string[] => [
  '/bin/sh',
  '-c',
  `${procs === undefined ? '' : '{ echo $$ > "$0"; } 2>/dev/null; '}${listenPid ? 'export LISTEN_PID=$$; ' : ''}${keepPwd ? '' : 'unset PWD; '}exec "$@"`,
  procs ?? 'orch-exec',
];

/** Starts one instance's process: its own process group, output captured, env from the spec only. */
export const spawnInstance = async (
  { logs, notify: notifySockets, cgroups }: SpawnContext,
  spec: AppSpec,
  index: number,
  port: number | undefined,
  extras: SpawnExtras = {},
): Promise<LaunchResult> => {
  const [file, ...args] = spec.command;
  if (file === undefined) return { ok: false, reason: 'empty command' };
  const ipc = spec.ready.type === 'message';
  const listens = extras.listenFd !== undefined;
  const cgroup = cgroups?.create(spec.name, index);
  const wrapped = listens || cgroup !== undefined;
  const dropCgroup = (): void => void (cgroup !== undefined && removeCgroup(cgroup));
  const problem =
    // Node reports a missing cwd as ENOENT of the command, which would mislead.
    missingCwd(spec.cwd) ??
    // The /bin/sh wrapper would turn a missing command into an exit 127: say it first, from the
    // PATH the instance gets (the file's env may set it), as validation and execa look in.
    (wrapped ? missingCommand(file, instanceEnv(spec, index, port).PATH, spec.cwd) : undefined) ??
    (await extras.refusal);
  if (problem !== undefined) {
    dropCgroup();
    return { ok: false, reason: problem };
  }
  let notify: NotifySocket | undefined;
  if (spec.ready.type === 'notify') {
    const opened = notifySockets.open();
    if (!opened.ok) {
      dropCgroup();
      return opened;
    }
    notify = opened.socket;
  }
  const env = { ...instanceEnv(spec, index, port), ...extras.env, ...(notify ? { NOTIFY_SOCKET: notify.path } : {}) };
  const wrapper = wrapped ? trampoline(cgroup === undefined ? undefined : `${cgroup}/cgroup.procs`, listens, 'PWD' in env) : [];
  const [program, ...argv] = [...wrapper, file, ...args];
  const stdio = listens
    ? (['ignore', 'pipe', 'pipe', extras.listenFd, ...(ipc ? ['ipc' as const] : [])] as const)
    : (['ignore', 'pipe', 'pipe', ...(ipc ? ['ipc' as const] : [])] as const);
  const subprocess = execa(program ?? file, argv, {
    cwd: spec.cwd,
    env,
    extendEnv: false,
    shell: false,
    detached: true,
    cleanup: false,
    reject: false,
    buffer: false,
    // WARNING: execa's types reject a raw fd past stdio[2], but it passes one through to spawn.
    stdio: [...stdio] as unknown as Options['stdio'],
    ...(ipc ? { serialization: 'json' as const } : {}),
  });
  if (subprocess.pid === undefined) {
    notify?.close();
    dropCgroup();
    const result = await subprocess;
    return { ok: false, reason: describeSpawnError(file, result.cause ?? result) };
  }
  // The leader's exit is what counts; execa's promise also waits for the pipes to close.
  void subprocess.catch(() => undefined);
  logs.attach(spec.name, index, 'out', subprocess.stdout);
  logs.attach(spec.name, index, 'err', subprocess.stderr);
  let free: FreeRestart | undefined;
  /** Whether we signalled it: such an exit is never a free restart. */
  let asked = false;
  const pid = subprocess.pid;
  const exited = new Promise<ExitInfo>((resolve) => {
    subprocess.once('exit', (code, signal) => {
      const { relaunch } = extras;
      if (asked || free === undefined || relaunch === undefined || !isFreeExit(free, { code, signal }, Date.now())) return resolve({ code, signal });
      try {
        // Leftovers of its group first: they must not hold the port against the successor.
        killProcessGroup(pid, cgroup);
        resolve({ code, signal, successor: successorOf(relaunch()) });
      } catch {
        // An emitter's listener that throws would take the daemon down: the runner respawns it.
        resolve({ code, signal });
      }
    });
  });
  // The socket lives as long as the instance: an app may notify again (STATUS=, STOPPING=1).
  if (notify !== undefined) void exited.then(() => notify.close());
  subprocess.on('error', () => undefined);
  return {
    ok: true,
    child: {
      pid,
      exited,
      onMessage: (listener) => {
        subprocess.on('message', listener);
        return () => subprocess.off('message', listener);
      },
      ...(notify ? { notified: notify.ready } : {}),
      stop: (shutdown) => {
        asked = true;
        return stopProcessGroup(pid, exited, shutdown, cgroup);
      },
      kill: () => {
        asked = true;
        killProcessGroup(pid, cgroup);
      },
      ...(extras.relaunch === undefined ? {} : { armRestart: (f: FreeRestart) => void (free = f) }),
    },
  };
};

/** A launch under way as an exit's successor: refused, what it started is killed. */
const successorOf = (launching: Promise<LaunchResult>): Successor => ({
  adopt: () => launching,
  // A launch that threw started nothing (and must not become an unhandled rejection here).
  refuse: () =>
    launching.then(
      (r) => {
        if (r.ok) r.child.kill();
      },
      () => undefined,
    ),
});

/** `command not found: x` before the /bin/sh wrapper would turn it into an exit 127. */
const missingCommand = (file: string, path: string | undefined, cwd: string): string | undefined => {
  const candidates = file.includes('/')
    ? [file.startsWith('/') ? file : `${cwd}/${file}`]
    : (path ?? '/usr/local/bin:/usr/bin:/bin').split(':').filter((d) => d !== '').map((d) => `${d}/${file}`);
  for (const candidate of candidates) {
    try {
      const s = statSync(candidate);
      if (s.isFile()) return (s.mode & 0o111) === 0 ? `permission denied: ${file}` : undefined;
    } catch {
      // next candidate
    }
  }
  return `command not found: ${file}`;
};
