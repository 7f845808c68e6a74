// `orch events [app] [-f] [--since T] [--output json]`: the daemon's event log (SPEC §12). With
// -f it asks the daemon every FOLLOW_INTERVAL_MS for the events after the last one it printed.
import { DaemonClient } from '../../daemon/client.js';
import type { LoggedEvent } from '../../daemon/events.js';
import { homePaths } from '../../daemon/paths.js';
import { sinceOrFail } from '../since.js';
import { formatDuration } from '../../units.js';
import { withJsonError } from '../exit-code.js';
import { OrchError } from '../../errors.js';
import { type OutputFormat, eprintln, formatTable, printJson, println } from '../output.js';

const FOLLOW_INTERVAL_MS = 500;

/**
 * One event as JSON (`--output json`: an array of them; with -f one per line): `{ "seq", "time"
 * (ISO), "app", "instance" (null: the whole app), "type", … }` plus the fields its type uses:
 * `pid`, `code`, `signal`, `requested`, `cause`, `restarts`, `delayMs`, `reason`, `project`,
 * `generation`, `action`, `status`, `droppedLines`.
 */
export type EventJson = Omit<LoggedEvent, 'time'> & { readonly time: string };

const eventJson = (e: LoggedEvent): EventJson => ({ ...e, time: new Date(e.time).toISOString() });

const exitText = (e: LoggedEvent): string => {
  const how = e.signal != null ? `by ${e.signal}` : e.code != null ? `with code ${e.code}` : '';
  const why = e.cause === undefined ? '' : ` (${e.cause === 'crash' ? 'crash' : e.cause === 'ready-failed' ? 'readiness failed' : `${e.cause}`})`;
  return `exited ${how}${why}`.replace('exited  ', 'exited ').trimEnd();
};

/** An event in words: `exited with code 3 (crash)`, `backoff: restart in 1.5s`. Pure. */
const eventWords = (e: LoggedEvent): string => {
  const pid = e.pid === undefined ? '' : ` (pid ${e.pid})`;
  const why = e.reason === undefined ? '' : `: ${e.reason}`;
  switch (e.type) {
    case 'exited':
      return `${exitText(e)}${pid}`;
    case 'backoff':
      return `backoff: restart in ${formatDuration(e.delayMs ?? 0)}`;
    case 'restarting':
      return `restarting after back-off (restart ${e.restarts ?? '?'})`;
    case 'applied': {
      const did = e.action === undefined ? 'no change' : `${e.action} ${e.status ?? ''}`.trimEnd();
      return `applied generation ${e.generation ?? '?'} of ${e.project ?? '?'} (${did})${why}`;
    }
    case 'logs-dropping':
      return `log file cannot be written: lines dropped and counted${why}`;
    case 'logs-resumed':
      return `log file writable again (${e.droppedLines ?? 0} lines dropped)`;
    default:
      return `${e.type}${pid}${why}`;
  }
};

const cells = (e: LoggedEvent): string[] => [new Date(e.time).toISOString(), e.app, e.instance === null ? '-' : `#${e.instance}`, eventWords(e)];

/** The human table; with -f each event is a line of its own (no widths known ahead). Pure. */
export const renderEvents = (events: readonly LoggedEvent[], follow = false): string =>
  follow ? events.map((e) => cells(e).join('  ')).join('\n') : formatTable(['TIME', 'APP', '#', 'EVENT'], events.map(cells));

export interface EventsOptions {
  readonly output: OutputFormat;
  readonly follow?: boolean | undefined;
  readonly since?: string | undefined;
}

export const events = (app: string | undefined, opts: EventsOptions): Promise<void> =>
  withJsonError(opts.output, async () => {
    const sinceIso = sinceOrFail(opts.since, Date.now());
    const since = sinceIso === undefined ? undefined : Date.parse(sinceIso);
    const client = await DaemonClient.connect(homePaths());
    try {
      const first = await client.request('events', { ...(app === undefined ? {} : { app }), ...(since === undefined ? {} : { since }) });
      if (!opts.follow) {
        if (opts.output === 'json') printJson(first.events.map(eventJson));
        else if (first.events.length === 0) println(app === undefined ? 'No events.' : `No events of ${app}.`);
        else println(renderEvents(first.events));
        return;
      }
      const print = (list: readonly LoggedEvent[]) => {
        for (const e of list) process.stdout.write(opts.output === 'json' ? `${JSON.stringify(eventJson(e))}\n` : `${renderEvents([e], true)}\n`);
      };
      await follow(client, app, first, print);
    } finally {
      client.close();
    }
  });

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** An event's identity across daemon runs (its seq is one run's). */
const identity = ({ seq: _seq, ...e }: LoggedEvent): string => JSON.stringify(e);

/**
 * Prints the events, then polls for those after the last one printed. When the daemon goes away it waits for one
 * to come back, as `tail -F` waits for its file (it never starts one: that is the user's, or
 * systemd's), then asks for the events since the last printed one's time: a new daemon numbers
 * its events afresh, and those it read back from disk are skipped by identity.
 */
const follow = async (
  first: DaemonClient,
  app: string | undefined,
  initial: { readonly events: readonly LoggedEvent[]; readonly last: number },
  print: (list: readonly LoggedEvent[]) => void,
): Promise<never> => {
  const paths = homePaths();
  const scope = app === undefined ? {} : { app };
  let client = first;
  let last = initial.last;
  // The time of the newest event printed, and the identities printed at that time.
  let lastTime = Number.NEGATIVE_INFINITY;
  let atLastTime = new Set<string>();
  const printAll = (list: readonly LoggedEvent[]): void => {
    print(list);
    for (const e of list) {
      if (e.time > lastTime) [lastTime, atLastTime] = [e.time, new Set()];
      if (e.time === lastTime) atLastTime.add(identity(e));
    }
  };
  /** What a new daemon has since the last printed time, less what was printed at that time. */
  const printNew = (list: readonly LoggedEvent[]): void =>
    printAll(list.filter((e) => e.time > lastTime || (e.time === lastTime && !atLastTime.has(identity(e)))));
  printAll(initial.events);
  for (;;) {
    await sleep(FOLLOW_INTERVAL_MS);
    try {
      const next = await client.request('events', { ...scope, after: last });
      printAll(next.events);
      last = next.last;
    } catch (err) {
      if (!(err instanceof OrchError) || err.code !== 'ORCH_DAEMON_UNAVAILABLE') throw err;
      client.close();
      eprintln(`orch: the daemon went away; waiting for it to come back (orch daemon start), Ctrl-C to stop`);
      client = await reconnect(paths);
      eprintln('orch: the daemon is back: following again');
      const since = Number.isFinite(lastTime) ? { since: lastTime } : {};
      const next = await client.request('events', { ...scope, ...since });
      printNew(next.events);
      last = next.last;
    }
  }
};

/** A client of the daemon once one answers again; polls, never starts one. */
const reconnect = async (paths: ReturnType<typeof homePaths>): Promise<DaemonClient> => {
  for (;;) {
    const client = await DaemonClient.tryConnect(paths);
    if (client !== undefined) return client;
    await sleep(FOLLOW_INTERVAL_MS);
  }
};
