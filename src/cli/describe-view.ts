// `orch describe <app>`: the daemon's answer in the file's terms (durations like `10s`, `run` as
// written), then rendered for a human. Pure, so both shapes are table-tested.
import type { Result } from '../daemon/protocol.js';
import { formatArgv } from '../reconcile/format.js';
import { formatApproxDuration as formatAge, formatBytes, formatDuration } from '../units.js';
import { formatTable, paint } from './output.js';

/**
 * `orch describe --output json`: `{ "name", "project", "generation", "stopped",
 * "spec": { "run", "shell", "cwd", "mode", "port", "instances", "env": { NAME: value | null },
 *   "env_file", "restart": { "policy", "backoff": { "initial", "max", "factor" }, "max_restarts", "window", "min_uptime" },
 *   "shutdown": { "signal", "timeout" }, "ready": { "type", "path", "timeout", "delay" },
 *   "reload": { "max_surge", "max_unavailable" }, "watch": { "paths", "ignore", "debounce" } | null,
 *   "depends_on", "max_memory" },
 * "instances": [ as in orch status ],
 * "events": [{ "time" (ISO), "instance" (null: the whole app), "type", "pid"?, "code"?, "signal"?, "requested"?, "restarts"?, "reason"? }] }`.
 * Durations and sizes are strings in the file's units; env values are null unless `--show-env`.
 * Events are the most recent (at most 200) since the daemon started, oldest first.
 */
export interface DescribeJson {
  readonly name: string;
  readonly project: string;
  readonly generation: number | null;
  readonly stopped: boolean;
  readonly spec: Readonly<Record<string, unknown>> & { readonly env: Readonly<Record<string, string | null>> };
  readonly instances: readonly InstanceJson[];
  readonly events: readonly EventJson[];
}

interface InstanceJson {
  readonly index: number;
  readonly pid: number | null;
  readonly state: string;
  readonly uptime_ms: number | null;
  readonly restarts: number;
  readonly cpu: number | null;
  readonly memory: number | null;
  readonly port: number | null;
  readonly last_exit: { readonly code: number | null; readonly signal: string | null; readonly at: number } | null;
  readonly reason: string | null;
}

type AppEvent = Result<'describe'>['events'][number];
type EventJson = Omit<AppEvent, 'time' | 'app'> & { readonly time: string };

export const describeJson = (r: Result<'describe'>, opts: { showEnv: boolean; now: number }): DescribeJson => {
  const { spec } = r.app;
  return {
    name: spec.name,
    project: spec.project,
    generation: r.generation,
    stopped: r.app.stopped,
    spec: {
      run: spec.shell ? (spec.command.at(-1) ?? '') : formatArgv(spec.command),
      shell: spec.shell,
      cwd: spec.cwd,
      mode: spec.mode,
      port: spec.port ?? null,
      instances: spec.instances,
      env: Object.fromEntries(Object.entries(spec.env).map(([k, v]) => [k, opts.showEnv ? v : null])),
      env_file: spec.envFile ?? null,
      restart: {
        policy: spec.restart.policy,
        backoff: { initial: formatDuration(spec.restart.backoff.initialMs), max: formatDuration(spec.restart.backoff.maxMs), factor: spec.restart.backoff.factor },
        max_restarts: spec.restart.maxRestarts,
        window: formatDuration(spec.restart.windowMs),
        min_uptime: formatDuration(spec.restart.minUptimeMs),
      },
      shutdown: { signal: spec.shutdown.signal, timeout: formatDuration(spec.shutdown.timeoutMs) },
      ready: { type: spec.ready.type, path: spec.ready.path, timeout: formatDuration(spec.ready.timeoutMs), delay: formatDuration(spec.ready.delayMs) },
      reload: { max_surge: spec.reload.maxSurge, max_unavailable: spec.reload.maxUnavailable },
      watch: spec.watch === undefined ? null : { paths: spec.watch.paths, ignore: spec.watch.ignore, debounce: formatDuration(spec.watch.debounceMs) },
      depends_on: spec.dependsOn,
      max_memory: spec.maxMemoryBytes === undefined ? null : formatBytes(spec.maxMemoryBytes),
    },
    instances: r.app.instances.map((i) => {
      const stats = i.pid === undefined ? undefined : r.stats[String(i.pid)];
      return {
        index: i.index,
        pid: i.pid ?? null,
        state: i.state,
        uptime_ms: i.state === 'online' && i.startedAt !== undefined ? opts.now - i.startedAt : null,
        restarts: i.restarts,
        cpu: stats ? Math.round(stats.cpu * 10) / 10 : null,
        memory: stats ? stats.memory : null,
        port: i.port ?? null,
        last_exit: i.lastExit ?? null,
        reason: i.reason ?? null,
      };
    }),
    events: r.events.map(({ time, app: _app, ...rest }) => ({ time: new Date(time).toISOString(), ...rest })),
  };
};

const exitText = (code: number | null | undefined, signal: string | null | undefined): string =>
  signal != null ? `by ${signal}` : code != null ? `with code ${code}` : '';

/** One event in words: `exited with code 3`, `started (pid 1234)`. */
export const eventText = (e: EventJson): string => {
  const pid = e.pid === undefined ? '' : ` (pid ${e.pid})`;
  const why = e.reason === undefined ? '' : `: ${e.reason}`;
  switch (e.type) {
    case 'exited':
      return `exited ${exitText(e.code, e.signal)}${e.requested === true ? ', as asked' : ''}${pid}`.replace('exited  ', 'exited ');
    case 'restarting':
      return `restarting after back-off (restart ${e.restarts ?? '?'})`;
    default:
      return `${e.type}${pid}${why}`;
  }
};

export const renderDescribe = (d: DescribeJson, color: boolean): string => {
  const s = d.spec as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const envNames = Object.keys(d.spec.env).sort();
  const env =
    envNames.length === 0
      ? '-'
      : envNames.map((k) => (d.spec.env[k] === null ? k : `${k}=${d.spec.env[k]}`)).join(', ') + (Object.values(d.spec.env).every((v) => v === null) ? '  (values hidden: --show-env)' : '');
  const lines: [string, string][] = [
    ['app', `${d.name} (project ${d.project}, generation ${d.generation ?? '-'})${d.stopped ? ', stopped' : ''}`],
    ['run', `${s.run}${s.shell ? '  (shell)' : ''}`],
    ['cwd', s.cwd],
    ['mode', s.mode],
    ['port', s.port === null ? '-' : String(s.port)],
    ['instances', String(s.instances)],
    ['env', env],
    ['env_file', s.env_file ?? '-'],
    [
      'restart',
      `${s.restart.policy}, backoff ${s.restart.backoff.initial}..${s.restart.backoff.max} x${s.restart.backoff.factor}, max ${s.restart.max_restarts} in ${s.restart.window}, min_uptime ${s.restart.min_uptime}`,
    ],
    ['shutdown', `${s.shutdown.signal}, timeout ${s.shutdown.timeout}`],
    ['ready', `${s.ready.type}${s.ready.type === 'http' ? ` ${s.ready.path}` : ''}, timeout ${s.ready.timeout}${s.ready.type === 'none' ? `, delay ${s.ready.delay}` : ''}`],
    ['reload', `max_surge ${s.reload.max_surge}, max_unavailable ${s.reload.max_unavailable}`],
    ['watch', s.watch === null ? '-' : `${s.watch.paths.join(', ')} (debounce ${s.watch.debounce})`],
    ['depends_on', s.depends_on.length === 0 ? '-' : s.depends_on.join(', ')],
    ['max_memory', s.max_memory ?? '-'],
  ];
  const width = Math.max(...lines.map(([k]) => k.length)) + 2;
  const out = lines.map(([k, v]) => `${`${k}:`.padEnd(width)}${v}`);
  out.push('', paint.bold(color, 'INSTANCES'));
  out.push(
    d.instances.length === 0
      ? '(none)'
      : formatTable(
          ['#', 'PID', 'STATE', 'UPTIME', 'RESTARTS', 'LAST EXIT', 'PORT', 'REASON'],
          d.instances.map((i) => [
            String(i.index),
            i.pid === null ? '-' : String(i.pid),
            i.state,
            formatAge(i.uptime_ms ?? undefined),
            String(i.restarts),
            i.last_exit === null ? '-' : exitText(i.last_exit.code, i.last_exit.signal) || 'not started',
            i.port === null ? '-' : String(i.port),
            i.reason ?? '',
          ]),
        ),
  );
  out.push('', paint.bold(color, 'EVENTS') + ' (most recent, since the daemon started)');
  out.push(
    d.events.length === 0
      ? '(none)'
      : formatTable(
          ['TIME', '#', 'EVENT'],
          d.events.map((e) => [e.time, e.instance === null ? '-' : String(e.instance), eventText(e)]),
        ),
  );
  return out.join('\n');
};
