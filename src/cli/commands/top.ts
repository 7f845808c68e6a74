import { DaemonClient, daemonName } from '../../daemon/client.js';
import { lockHolder } from '../../daemon/lock.js';
import type { HomePaths } from '../../daemon/paths.js';
import { homePaths } from '../../daemon/paths.js';
import type { DaemonInfo } from '../../daemon/protocol.js';
import { OrchError } from '../../errors.js';
import { canGoLive, openLiveScreen } from '../live-screen.js';
import { useColor } from '../output.js';
import { type TopLink, parseInterval, screenLines, streamLines, topFrame } from '../top-frame.js';
import { knownProjects, statusApps } from './status.js';

export interface TopOptions {
  readonly interval?: string;
  readonly once?: boolean;
  /** Only this project's apps; unknown to the daemon, exit 2 as `status -p` does. */
  readonly project?: string | undefined;
}

/**
 * `orch top` / `orch monit`: status's table, redrawn every interval. On a terminal it takes the
 * alternate screen and quits on q or Ctrl-C; piped, it prints one frame per refresh, a blank line
 * between two. It never starts a daemon, and outlives one: while none answers it says so and retries.
 */
export const top = async (opts: TopOptions): Promise<void> => {
  const intervalMs = parseInterval(opts.interval ?? '1s');
  if (intervalMs === undefined) throw new OrchError('ORCH_USAGE', `--interval takes a duration from 100ms to 1h (500ms, 1s, 2m), got '${opts.interval ?? ''}'`);
  const paths = homePaths();
  const { project } = opts;
  const link = linkTo(paths, project);
  const first = await link.poll();
  if (first.state === 'lost') throw new OrchError('ORCH_DAEMON_UNAVAILABLE', first.reason);
  const known = link.projects();
  if (project !== undefined && !known.includes(project)) {
    link.close();
    throw new OrchError('ORCH_UNKNOWN_PROJECT', `no project named '${project}' (known: ${known.join(', ') || 'none'})`);
  }
  const out = process.stdout;
  const live = !opts.once && canGoLive(out);
  const frameOf = (l: TopLink) => topFrame(l, Date.now(), { color: useColor(out), intervalMs, keys: live, project });
  if (opts.once) {
    out.write(`${streamLines(frameOf(first)).join('\n')}\n`);
    link.close();
    return;
  }

  let quit: () => void = () => {};
  const quitting = new Promise<void>((resolve) => (quit = resolve));
  let stopped = false;
  void quitting.then(() => (stopped = true));
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const s of signals) process.on(s, quit);
  // `orch top | head`: the reader went away, which ends top as q would.
  const onOutError = (): void => quit();
  out.on('error', onOutError);

  let last: TopLink = first;
  const screen = live
    ? openLiveScreen(out, process.stdin, { onKey: (k) => (k === 'q' || k === 'Q' || k === '\x03') && quit(), onResize: () => draw(last) })
    : undefined;
  let frames = 0;
  let timer: NodeJS.Timeout | undefined;
  const pause = (): Promise<void> => new Promise((resolve) => (timer = setTimeout(resolve, intervalMs)));
  function draw(l: TopLink): void {
    if (stopped) return;
    if (screen) screen.draw(screenLines(frameOf(l), screen.columns, screen.rows));
    else out.write(`${frames++ === 0 ? '' : '\n'}${streamLines(frameOf(l)).join('\n')}\n`);
  }
  try {
    draw(first);
    while (!stopped) {
      await Promise.race([pause(), quitting]);
      if (stopped) break;
      const next = await Promise.race([link.poll(), quitting]);
      if (next === undefined || stopped) break;
      last = next;
      draw(last);
    }
  } finally {
    clearTimeout(timer);
    screen?.close();
    for (const s of signals) process.off(s, quit);
    out.off('error', onOutError);
    link.close();
  }
};

/**
 * The daemon as seen by one connection, made again after the daemon went away: each poll is
 * a `status` (and a `hello` on a new connection), or the reason none answered. Never starts one.
 */
const linkTo = (paths: HomePaths, project: string | undefined): { poll(): Promise<TopLink>; projects(): string[]; close(): void } => {
  let client: DaemonClient | undefined;
  /** The projects of the last status heard (what `-p` may name). */
  let projects: string[] = [];
  let info: DaemonInfo | undefined;
  let lostSince: number | undefined;
  const drop = (): void => {
    client?.close();
    client = undefined;
  };
  const lost = (reason: string): TopLink => {
    drop();
    lostSince ??= Date.now();
    return { state: 'lost', since: lostSince, lastPid: info?.pid, reason };
  };
  return {
    async poll() {
      let snapshot;
      try {
        if (client === undefined) {
          client = await DaemonClient.tryConnect(paths);
          if (client === undefined) return lost(noDaemon(paths));
          info = await client.request('hello', {});
        }
        snapshot = await client.request('status', {});
      } catch (e) {
        return lost(e instanceof Error ? e.message : String(e));
      }
      lostSince = undefined;
      projects = knownProjects(snapshot);
      return { state: 'live', pid: info!.pid, startedAt: info!.startedAt, apps: statusApps(snapshot, Date.now(), project) };
    },
    projects: () => projects,
    close: drop,
  };
};

// What diff and down say too: no daemon is no error of the file, and top starts none.
const noDaemon = (paths: HomePaths): string =>
  lockHolder(paths.lock) === undefined
    ? `no daemon is running in ${paths.home} (orch top never starts one): 'orch daemon start' starts it, 'orch apply' starts it with your apps`
    : `${daemonName(paths)} is running but does not answer on ${paths.socket}: see ${paths.daemonLog}`;
