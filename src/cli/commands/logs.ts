// `orch logs [app|app#N] [-f] [-n N] [--err|--out] [--since T] [--output json]`: reads the files the
// daemon writes, directly (no daemon round trip), from their ends. See src/logs/record.ts for the JSON shape.
import { readdir } from 'node:fs/promises';
import { homePaths } from '../../daemon/paths.js';
import { OrchError } from '../../errors.js';
import { sinceOrFail } from '../since.js';
import { appsWithLogs, logFilePath } from '../../logs/files.js';
import { isEmptyFilter, type LogFilter, parseLogTarget, verdictOf } from '../../logs/filter.js';
import { LogFollower } from '../../logs/follow.js';
import { mergeByTime } from '../../logs/merge.js';
import { parseRecord } from '../../logs/record.js';
import { tailApp } from '../../logs/tail.js';
import type { OutputFormat } from '../output.js';

export interface LogsOptions {
  readonly follow?: boolean;
  /** Default: 20, or every line with `since`. */
  readonly lines?: number | undefined;
  readonly err?: boolean;
  readonly out?: boolean;
  readonly since?: string | undefined;
  readonly output: OutputFormat;
}


/** The filter the options ask for; throws ORCH_USAGE for a malformed target or --since. */
const logFilterOf = (target: string | undefined, opts: LogsOptions, now: number): { app: string | undefined; filter: LogFilter } => {
  const parsed = target === undefined ? { app: undefined } : parseLogTarget(target);
  if (parsed === undefined) throw new OrchError('ORCH_USAGE', `'${target}' is not an app or app#N (N an instance number)`);
  const since = sinceOrFail(opts.since, now);
  // Both --err and --out: both streams, as with neither.
  const streams = opts.err === opts.out ? undefined : opts.err ? (['err'] as const) : (['out'] as const);
  return {
    app: parsed.app,
    filter: {
      ...(streams === undefined ? {} : { streams }),
      ...('instance' in parsed && parsed.instance !== undefined ? { instance: parsed.instance } : {}),
      ...(since === undefined ? {} : { since }),
    },
  };
};

const FOLLOW_INTERVAL_MS = 200;

export const logs = async (target: string | undefined, opts: LogsOptions): Promise<void> => {
  const { app, filter } = logFilterOf(target, opts, Date.now());
  const verdict = isEmptyFilter(filter) ? undefined : verdictOf(filter);
  const lines = opts.lines ?? (filter.since === undefined ? 20 : Infinity);
  const { home, logs: dir } = homePaths();
  const known = appsWithLogs(await readdir(dir).catch(() => []));
  if (app !== undefined && !known.includes(app)) {
    const hint = known.length === 0 ? 'no app has logs yet' : `apps with logs: ${known.join(', ')}`;
    throw new OrchError('ORCH_UNKNOWN_APP', `no logs for app '${app}' in ${dir} (${hint})`);
  }
  // `orch logs | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  const render = renderer(opts.output);
  const print = (all: readonly string[]): void => {
    const shown = verdict === undefined ? all : all.filter((l) => verdict(l) === 'keep');
    if (shown.length > 0) process.stdout.write(shown.map(render).join(''));
  };
  const apps = app === undefined ? known : [app];
  const tails = await Promise.all(apps.map((a) => tailApp(logFilePath(home, a), lines, opts.follow === true, verdict)));
  print(lines === 0 ? [] : mergeByTime(tails.map((t) => t.lines)).slice(-lines));
  if (opts.follow !== true) return;

  const followers = new Map(apps.map((a, i) => [a, new LogFollower(logFilePath(home, a), print, tails[i]!.live)]));
  for (;;) {
    if (app === undefined) {
      // Apps started after `orch logs -f` began are followed from their first line.
      for (const added of appsWithLogs(await readdir(dir).catch(() => []))) {
        if (!followers.has(added)) followers.set(added, new LogFollower(logFilePath(home, added), print));
      }
    }
    for (const follower of followers.values()) await follower.poll();
    await new Promise((resolve) => setTimeout(resolve, FOLLOW_INTERVAL_MS));
  }
};

const renderer = (output: OutputFormat): ((line: string) => string) =>
  output === 'json'
    ? (line) => `${JSON.stringify(parseRecord(line) ?? { time: null, app: null, instance: null, stream: null, line })}\n`
    : (line) => `${line}\n`;
