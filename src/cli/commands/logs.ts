// `orch logs [app] [-f] [-n N] [--output json]`: reads the files the daemon writes, directly
// (no daemon round trip), from their ends. See src/logs/record.ts for the JSON shape.
import { readdir } from 'node:fs/promises';
import { homePaths } from '../../daemon/paths.js';
import { OrchError } from '../../errors.js';
import { appsWithLogs, logFilePath } from '../../logs/files.js';
import { LogFollower } from '../../logs/follow.js';
import { mergeByTime } from '../../logs/merge.js';
import { parseRecord } from '../../logs/record.js';
import { tailApp } from '../../logs/tail.js';
import type { OutputFormat } from '../output.js';

export interface LogsOptions {
  readonly follow?: boolean;
  readonly lines: number;
  readonly output: OutputFormat;
}

const FOLLOW_INTERVAL_MS = 200;

export const logs = async (app: string | undefined, opts: LogsOptions): Promise<void> => {
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
  const print = (lines: readonly string[]): void => {
    if (lines.length > 0) process.stdout.write(lines.map(render).join(''));
  };
  const apps = app === undefined ? known : [app];
  const tails = await Promise.all(apps.map((a) => tailApp(logFilePath(home, a), opts.lines, opts.follow === true)));
  print(opts.lines === 0 ? [] : mergeByTime(tails.map((t) => t.lines)).slice(-opts.lines));
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
