// Fork mode: each instance is its own child process, leading its own process group, with an
// environment computed from the spec only (never the daemon's own).
import { stat } from 'node:fs/promises';
import { execa } from 'execa';
import type { AppSpec } from '../config/desired.js';
import type { LogCapture } from '../logs/capture.js';

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A live process started for one instance, whatever the mode. */
export interface ChildHandle {
  readonly pid: number;
  /** Resolves when the leader process exited (its pipes may stay open a little longer). */
  readonly exited: Promise<ExitInfo>;
  /** The exit, once it happened. */
  exitInfo(): ExitInfo | undefined;
  /** Subscribes to IPC messages (only when the launcher opened a channel); returns an unsubscribe. */
  onMessage(listener: (message: unknown) => void): () => void;
}

export type LaunchResult = { readonly ok: true; readonly child: ChildHandle } | { readonly ok: false; readonly reason: string };

/** How a mode starts one instance. Cluster and socket modes provide their own. */
export interface Launcher {
  launch(spec: AppSpec, index: number): Promise<LaunchResult>;
  /** The port this instance serves (fork: port+index; cluster/socket: the shared port). */
  instancePort(spec: AppSpec, index: number): number | undefined;
  /** Whether two processes of one index may run at once during a rolling reload. */
  canOverlap(spec: AppSpec): boolean;
}

export const forkInstancePort = (spec: AppSpec, index: number): number | undefined =>
  spec.port === undefined ? undefined : spec.port + index;

export const instanceEnv = (spec: AppSpec, index: number, port: number | undefined): Record<string, string> => ({
  ...spec.baseEnv,
  ...spec.env,
  ORCH_APP: spec.name,
  ORCH_INSTANCE: String(index),
  ORCH_PROJECT: spec.project,
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

const missingCwd = async (cwd: string): Promise<string | undefined> => {
  try {
    return (await stat(cwd)).isDirectory() ? undefined : `cwd is not a directory: ${cwd}`;
  } catch {
    return `cwd not found: ${cwd}`;
  }
};

export class ForkLauncher implements Launcher {
  constructor(private readonly logs: LogCapture) {}

  instancePort(spec: AppSpec, index: number): number | undefined {
    return forkInstancePort(spec, index);
  }

  canOverlap(spec: AppSpec): boolean {
    // Two processes of one index would fight over the same PORT.
    return spec.port === undefined;
  }

  async launch(spec: AppSpec, index: number): Promise<LaunchResult> {
    const [file, ...args] = spec.command;
    if (file === undefined) return { ok: false, reason: 'empty command' };
    // Node reports a missing cwd as ENOENT of the command, which would mislead.
    const cwdProblem = await missingCwd(spec.cwd);
    if (cwdProblem !== undefined) return { ok: false, reason: cwdProblem };
    const ipc = spec.ready.type === 'message';
    const subprocess = execa(file, args, {
      cwd: spec.cwd,
      env: instanceEnv(spec, index, this.instancePort(spec, index)),
      extendEnv: false,
      shell: false,
      detached: true,
      cleanup: false,
      reject: false,
      buffer: false,
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
      ...(ipc ? { ipc: true, serialization: 'json' as const } : {}),
    });
    if (subprocess.pid === undefined) {
      const result = await subprocess;
      return { ok: false, reason: describeSpawnError(file, result.cause ?? result) };
    }
    // The leader's exit is what counts; execa's promise also waits for the pipes to close.
    void subprocess.catch(() => undefined);
    this.logs.attach(spec.name, index, 'out', subprocess.stdout);
    this.logs.attach(spec.name, index, 'err', subprocess.stderr);
    let exit: ExitInfo | undefined;
    const exited = new Promise<ExitInfo>((resolve) => {
      subprocess.once('exit', (code, signal) => {
        exit = { code, signal };
        resolve(exit);
      });
    });
    subprocess.on('error', () => undefined);
    const pid = subprocess.pid;
    return {
      ok: true,
      child: {
        pid,
        exited,
        exitInfo: () => exit,
        onMessage: (listener) => {
          subprocess.on('message', listener);
          return () => subprocess.off('message', listener);
        },
      },
    };
  }
}
