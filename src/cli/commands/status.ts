import { DaemonClient } from '../../daemon/client.js';
import { homePaths } from '../../daemon/paths.js';
import type { Result } from '../../daemon/protocol.js';
import { OrchError } from '../../errors.js';
import type { OutputFormat } from '../output.js';
import { formatApproxBytes, formatApproxDuration } from '../../units.js';
import { eprintln, formatTable, paint, printJson, println, useColor } from '../output.js';

/**
 * `orch status --output json` shape: `{ "warnings": string[], "apps": [{ "name", "project", "generation", "mode", "stopped", "dropped_lines",
 * "instances": [{ "index", "pid", "state", "uptime_ms", "restarts", "cpu", "memory", "port",
 * "last_exit": { "code", "signal", "at" } | null, "reason": string | null,
 * "messages": { "delivered", "dropped" } | null }] }] }` (messages: the bus, for an instance that connected to it).
 * cpu is percent of one core, memory is RSS in bytes; both null when not sampled. dropped_lines counts
 * output lines lost because the app's log file could not be written (a full disk).
 */
export const status = async (opts: { output: OutputFormat; project?: string }): Promise<void> => {
  const client = await DaemonClient.connect(homePaths());
  let snapshot;
  try {
    snapshot = await client.request('status', {});
  } finally {
    client.close();
  }
  const { project } = opts;
  if (project !== undefined) {
    const known = knownProjects(snapshot);
    if (!known.includes(project)) {
      const error = new OrchError('ORCH_UNKNOWN_PROJECT', `no project named '${project}' (known: ${known.join(', ') || 'none'})`);
      if (opts.output === 'json') printJson({ ok: false, error: { code: error.code, message: error.message } });
      throw error;
    }
  }
  const apps = statusApps(snapshot, Date.now(), project);
  if (opts.output === 'json') {
    printJson({ warnings: snapshot.warnings, apps });
    return;
  }
  for (const w of snapshot.warnings) eprintln(`warning: ${w}`);
  for (const a of apps) {
    if (a.dropped_lines > 0) eprintln(`warning: ${a.name}: ${a.dropped_lines} output line${a.dropped_lines === 1 ? '' : 's'} dropped: its log file could not be written (disk full?)`);
    for (const i of a.instances) {
      const dropped = i.messages?.dropped ?? 0;
      if (dropped > 0) eprintln(`warning: ${a.name}#${i.index}: ${dropped} message${dropped === 1 ? '' : 's'} dropped: it read them too slowly`);
    }
  }
  println(renderStatus(apps, { color: useColor(), project }));
};

export type StatusSnapshot = Result<'status'>;

/** The projects `-p` may name: those that run, or have a generation (applied, maybe all deleted since). */
export const knownProjects = (snapshot: StatusSnapshot): string[] =>
  [...new Set([...snapshot.apps.map((a) => a.spec.project), ...Object.keys(snapshot.generations)])].sort();
export type StatusAppJson = ReturnType<typeof statusApps>[number];

/** The apps of the JSON shape above, as of `now` (pure: `orch top` redraws from it too). */
export const statusApps = (snapshot: StatusSnapshot, now: number, project?: string) => {
  // One lookup per instance: at 1,000 instances a scan of the receivers each was a million steps.
  const receivers = new Map((snapshot.bus?.receivers ?? []).map((r) => [`${r.app}#${r.instance}`, r]));
  const busOf = (app: string, index: number): { delivered: number; dropped: number } | null => {
    const r = receivers.get(`${app}#${index}`);
    return r === undefined ? null : { delivered: r.delivered, dropped: r.dropped };
  };
  return snapshot.apps.filter((a) => project === undefined || a.spec.project === project).map((a) => ({
    name: a.spec.name,
    project: a.spec.project,
    generation: snapshot.generations[a.spec.project] ?? null,
    mode: a.spec.mode,
    stopped: a.stopped,
    dropped_lines: a.droppedLines ?? 0,
    instances: a.instances.map((i) => {
      const stats = i.pid === undefined ? undefined : snapshot.stats[String(i.pid)];
      return {
        index: i.index,
        pid: i.pid ?? null,
        state: i.state,
        uptime_ms: i.state === 'online' && i.startedAt !== undefined ? now - i.startedAt : null,
        restarts: i.restarts,
        cpu: stats ? Math.round(stats.cpu * 10) / 10 : null,
        memory: stats ? stats.memory : null,
        port: i.port ?? null,
        last_exit: i.lastExit ?? null,
        reason: i.reason ?? null,
        // The message bus (SPEC §14): delivered to this instance, and dropped because it read too slowly.
        messages: busOf(a.spec.name, i.index),
      };
    }),
  }));
};

/** The human status: its table, or the line that says there are no apps (pure: `orch top` prints it too). */
export const renderStatus = (apps: readonly StatusAppJson[], opts: { color: boolean; project?: string | undefined }): string => {
  const { color, project } = opts;
  if (apps.length === 0) return project === undefined ? 'No apps. Declare some in ecosystem.yaml and run orch apply.' : `No apps in project ${project}.`;
  const rows: string[][] = [];
  for (const a of apps) {
    const gen = a.generation === null ? '-' : String(a.generation);
    if (a.instances.length === 0) rows.push([a.name, a.project, a.mode, gen, '-', '-', a.stopped ? 'stopped' : '-', '-', '-', '-', '-', '-', '-', '']);
    for (const i of a.instances) {
      rows.push([
        a.name,
        a.project,
        a.mode,
        gen,
        String(i.index),
        i.pid === null ? '-' : String(i.pid),
        stateColor(i.state, color),
        formatApproxDuration(i.uptime_ms ?? undefined),
        String(i.restarts),
        formatExit(i.last_exit),
        i.cpu === null ? '-' : `${i.cpu}%`,
        formatApproxBytes(i.memory ?? undefined),
        i.port === null ? '-' : String(i.port),
        i.reason ?? '',
      ]);
    }
  }
  const head = ['APP', 'PROJECT', 'MODE', 'GEN', '#', 'PID', 'STATE', 'UPTIME', 'RESTARTS', 'LAST EXIT', 'CPU', 'MEM', 'PORT', 'REASON'];
  return formatTable(head.map((h) => paint.bold(color, h)), rows);
};

// Neither code nor signal: the process never started (its command is missing, say).
const formatExit = (e: { code: number | null; signal: string | null } | null): string =>
  e === null ? '-' : e.signal !== null ? e.signal : e.code !== null ? `code ${e.code}` : 'not started';

const stateColor = (state: string, color: boolean): string => {
  if (state === 'online') return paint.green(color, state);
  if (state === 'errored' || state === 'rollback') return paint.red(color, state);
  return paint.yellow(color, state);
};
