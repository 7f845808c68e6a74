// An app as the schema accepted it (defaults merged in) -> its resolved spec: paths absolute,
// durations in ms, sizes in bytes, instances a number, every default of SPEC §3 filled in. Pure:
// whether cwd, env_file, the script and the command exist is checked later, from facts
// gathered by load.ts.
import { isAbsolute, resolve } from 'node:path';
import type { App, Watch } from '../generated/ecosystem-file.js';
import type { AppSpec, Mode, Protocol, ReadyType, WatchSpec } from './desired.js';
import { related } from './accepted.js';
import { type Problem, type Segment, problem, showValue } from './diagnostics.js';
import { durationMs } from './duration.js';
import type { MergedApp } from './merge-defaults.js';
import { commandFor, splitRun } from './run-command.js';
import { sizeBytes } from './size.js';

export interface NormalizeContext {
  /** Absolute directory of the ecosystem file. */
  readonly fileDir: string;
  readonly project: string;
  readonly cpus: number;
}

/**
 * An app resolved except for its env (env_file contents are read after this step). A field the
 * file got wrong holds its default (`command` is empty when `run` is unusable) and is `broken`:
 * a draft with a broken field only ever serves checks, never a DesiredState, since the problem
 * that broke it is reported.
 */
export interface AppDraft {
  readonly spec: Omit<AppSpec, 'env' | 'baseEnv'>;
  /** `env` of the file, values as strings. */
  readonly fileEnv: Readonly<Record<string, string>>;
  readonly inheritEnv: readonly string[];
  readonly merged: MergedApp;
  /** Whether the field at `rel` (relative to the app) is broken, or contains or is inside one. */
  readonly broken: (...rel: Segment[]) => boolean;
}

export const WATCH_IGNORE_DEFAULT = ['node_modules', '.git'] as const;

/**
 * `merged` holds only what the schema accepted (see accepted.ts); `schemaBroken` lists the
 * fields (relative to the app) that were left out of it.
 */
export const normalizeApp = (
  merged: MergedApp,
  ctx: NormalizeContext,
  schemaBroken: readonly (readonly Segment[])[] = [],
): { draft: AppDraft; problems: Problem[] } => {
  // WARNING: typed as a valid App, but a required key (`run`) may be missing: it was invalid.
  const app = merged.value as unknown as Partial<App>;
  const problems: Problem[] = [];
  const broken: (readonly Segment[])[] = [...schemaBroken];
  const at = merged.origin;
  const fail = (fields: readonly (readonly Segment[])[], p: Problem): void => {
    problems.push(p);
    broken.push(...fields);
  };

  const shell = app.shell ?? false;
  let argv: string[] | undefined;
  if (app.run === undefined) {
    broken.push(['run']);
  } else if (shell) {
    if (typeof app.run === 'string') argv = ['/bin/sh', '-c', app.run];
    else fail([['run'], ['shell']], problem(at('shell'), 'value', "'shell: true' needs 'run' to be a string, not a list"));
  } else if (typeof app.run === 'string') {
    const split = splitRun(app.run);
    if (split.ok) argv = commandFor(split.argv);
    else fail([['run']], problem(at('run'), 'value', split.message));
  } else if (app.run[0] === '') {
    fail([['run']], problem(at('run', 0), 'value', 'must be a program name or path, got an empty string'));
  } else {
    argv = commandFor(app.run);
  }

  const mode: Mode = app.mode ?? 'fork';
  const instances = app.instances === 'max' ? ctx.cpus : (app.instances ?? 1);
  const port = app.port === undefined ? undefined : portNumber(app.port);
  if (port === null) {
    fail(
      [['port']],
      problem(at('port'), 'value', `must be an integer between 1 and 65535 after interpolation, got ${showValue(app.port)}`),
    );
  }
  const cwd = resolve(ctx.fileDir, app.cwd ?? '.');
  const protocol: Protocol = app.protocol ?? 'tcp';
  const readyType: ReadyType = app.ready?.type ?? defaultReadyType(mode, port ?? undefined, protocol);
  const isBroken = (...rel: Segment[]): boolean => broken.some((b) => related(b, rel));
  // The default readiness follows mode, port and protocol: it is as unknown as they are.
  if (app.ready?.type === undefined && (isBroken('mode') || isBroken('port') || isBroken('protocol'))) broken.push(['ready', 'type']);

  const spec: AppDraft['spec'] = {
    name: merged.name,
    project: ctx.project,
    command: argv ?? [],
    shell,
    cwd,
    instances,
    mode,
    port: port ?? undefined,
    protocol,
    envFile: app.env_file === undefined ? undefined : resolve(ctx.fileDir, app.env_file),
    restart: {
      policy: app.restart?.policy ?? 'always',
      backoff: {
        initialMs: durationMs(app.restart?.backoff?.initial ?? '100ms'),
        maxMs: durationMs(app.restart?.backoff?.max ?? '30s'),
        factor: app.restart?.backoff?.factor ?? 2,
      },
      maxRestarts: app.restart?.max_restarts ?? 10,
      windowMs: durationMs(app.restart?.window ?? '60s'),
      minUptimeMs: durationMs(app.restart?.min_uptime ?? '1s'),
    },
    shutdown: {
      signal: app.shutdown?.signal ?? 'SIGTERM',
      timeoutMs: durationMs(app.shutdown?.timeout ?? '5s'),
    },
    ready: {
      type: readyType,
      path: app.ready?.path ?? '/',
      timeoutMs: durationMs(app.ready?.timeout ?? '30s'),
      delayMs: durationMs(app.ready?.delay ?? '1s'),
    },
    reload: { maxSurge: app.reload?.max_surge ?? 1, maxUnavailable: app.reload?.max_unavailable ?? 0 },
    watch: watchSpec(app.watch, cwd),
    dependsOn: [...(app.depends_on ?? [])],
    ...(app.role === undefined ? {} : { role: app.role }),
    maxMemoryBytes: app.max_memory === undefined ? undefined : sizeBytes(app.max_memory),
    ...(app.export === undefined ? {} : { export: app.export }),
  };
  const fileEnv = Object.fromEntries(Object.entries(app.env ?? {}).map(([k, v]) => [k, String(v)]));
  return { draft: { spec, fileEnv, inheritEnv: app.inherit_env ?? [], merged, broken: isBroken }, problems };
};

/**
 * SPEC §3: `listening` in cluster mode, `tcp` in fork mode with a TCP port, `none` otherwise (a
 * datagram socket cannot be probed: SPEC §14). A dgram worker's `bind` emits `listening` too.
 */
const defaultReadyType = (mode: Mode, port: number | undefined, protocol: Protocol = 'tcp'): ReadyType =>
  mode === 'cluster' ? 'listening' : mode === 'fork' && port !== undefined && protocol === 'tcp' ? 'tcp' : 'none';

/** The port as an integer 1..65535, or null when an interpolated string is not one. */
export const portNumber = (port: number | string): number | null => {
  const n = typeof port === 'number' ? port : /^\d+$/.test(port.trim()) ? Number(port.trim()) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : null;
};

const watchSpec = (watch: Watch | undefined, cwd: string): WatchSpec | undefined => {
  if (watch === undefined || watch === false) return undefined;
  const options = watch === true ? {} : watch;
  // Relative to the app's cwd, like PM2: `watch: [src]` in an app means that app's src.
  const paths = (options.paths ?? ['.']).map((p) => (isAbsolute(p) ? p : resolve(cwd, p)));
  return {
    paths,
    ignore: [...(options.ignore ?? WATCH_IGNORE_DEFAULT)],
    debounceMs: durationMs(options.debounce ?? '200ms'),
  };
};
