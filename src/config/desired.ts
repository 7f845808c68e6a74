// The desired state: what the loader returns and the reconciler consumes. Fully resolved
// (paths absolute, durations in ms, sizes in bytes, defaults merged, instances a number) and
// plain JSON, so it can cross the control socket and be persisted as it is.

export type Mode = 'fork' | 'cluster' | 'socket';
/** What `port` is (SPEC §14): a TCP listener or a UDP datagram socket. */
export type Protocol = 'tcp' | 'udp';
export type RestartPolicyName = 'always' | 'on-failure' | 'never';
export type ReadyType = 'listening' | 'message' | 'notify' | 'http' | 'tcp' | 'none';

export interface RestartSpec {
  readonly policy: RestartPolicyName;
  readonly backoff: { readonly initialMs: number; readonly maxMs: number; readonly factor: number };
  readonly maxRestarts: number;
  readonly windowMs: number;
  readonly minUptimeMs: number;
}

export interface ShutdownSpec {
  readonly signal: NodeJS.Signals;
  readonly timeoutMs: number;
}

export interface ReadySpec {
  readonly type: ReadyType;
  /** For `http`: the path to GET on the instance's port. */
  readonly path: string;
  readonly timeoutMs: number;
  /** For `none`: ready once the instance has stayed up this long. */
  readonly delayMs: number;
}

export interface ReloadSpec {
  readonly maxSurge: number;
  readonly maxUnavailable: number;
}

export interface WatchSpec {
  /** Absolute paths. */
  readonly paths: readonly string[];
  readonly ignore: readonly string[];
  readonly debounceMs: number;
}

/**
 * `export:` of the file (SPEC §13): read only by `orch export`, never compared by the plan
 * (src/reconcile/fields.ts has no entry for it), so an export-only change is no action.
 */
export interface ExportSpec {
  readonly image?: string;
  readonly kubernetes?: {
    readonly image?: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
  };
}

export interface AppSpec {
  readonly name: string;
  readonly project: string;
  /** argv; with `shell: true` it is ['/bin/sh', '-c', run]. */
  readonly command: readonly string[];
  readonly shell: boolean;
  /** Absolute. */
  readonly cwd: string;
  readonly instances: number;
  readonly mode: Mode;
  readonly port: number | undefined;
  /** Absent in specs persisted before it existed: read it through `protocolOf` (config/modes.ts). */
  readonly protocol?: Protocol;
  /** What the file declares: env_file contents overlaid by `env`. This is what diffs compare. */
  readonly env: Readonly<Record<string, string>>;
  /**
   * The base taken from the `orch apply` caller (PATH, HOME, USER, LANG, LC_*, TZ, TMPDIR and
   * `inherit_env`). Used to spawn, never compared by the plan: only the file can make a diff.
   */
  readonly baseEnv: Readonly<Record<string, string>>;
  readonly envFile: string | undefined;
  readonly restart: RestartSpec;
  readonly shutdown: ShutdownSpec;
  readonly ready: ReadySpec;
  readonly reload: ReloadSpec;
  readonly watch: WatchSpec | undefined;
  /** With `role: agent` in the project: the agent's name too, unless the agent depends on this app (config/agent-role.ts). */
  readonly dependsOn: readonly string[];
  /** `agent`: the project's agent (SPEC §14); absent for every other app. */
  readonly role?: 'agent';
  readonly maxMemoryBytes: number | undefined;
  /** Absent when the file has no `export:` for the app (specs persisted before it existed too). */
  readonly export?: ExportSpec;
}

export interface DesiredState {
  readonly project: string;
  /** Absolute path of the ecosystem file. */
  readonly file: string;
  /** sha256 of the file's bytes. */
  readonly hash: string;
  /** Sorted by name. */
  readonly apps: readonly AppSpec[];
}

/** One validation error, positioned in the file (SPEC §3). */
export interface Diagnostic {
  readonly file: string;
  /** 1-based; 0 when the error has no position (e.g. the file cannot be read). */
  readonly line: number;
  readonly col: number;
  /** Document path, dotted: `apps.api.instances`; '' for the document itself. */
  readonly path: string;
  readonly message: string;
}

/**
 * Warnings are things that are valid but probably not meant (a cluster app with no port waits its
 * whole ready timeout): printed, never a reason to refuse. Both sides carry them.
 */
export type LoadResult =
  | { readonly ok: true; readonly desired: DesiredState; readonly warnings: readonly Diagnostic[] }
  | {
      readonly ok: false;
      readonly errors: readonly Diagnostic[];
      readonly warnings: readonly Diagnostic[];
      /** The project the file names, when that much of it is sound (what `orch down` needs). */
      readonly project?: string;
    };

/** `file:line:col: path: message` — the one rendering of a Diagnostic, used by the CLI and tests. */
export const formatDiagnostic = (d: Diagnostic): string =>
  `${d.file}${d.line > 0 ? `:${d.line}:${d.col}` : ''}: ${d.path === '' ? '' : `${d.path}: `}${d.message}`;

/** `warning: file:line:col: path: message`. */
export const formatWarning = (d: Diagnostic): string => `warning: ${formatDiagnostic(d)}`;
