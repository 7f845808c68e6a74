// `orch events [app] [-f] [--since T] [--output json]`: the daemon's event log (SPEC §12). With
// -f it asks the daemon every FOLLOW_INTERVAL_MS for the events after the last one it printed.
import { DaemonClient } from '../../daemon/client.js';
import type { LoggedEvent } from '../../daemon/events.js';
import { homePaths } from '../../daemon/paths.js';
import { sinceOrFail } from '../since.js';
import { formatDuration } from '../../units.js';
import { withJsonError } from '../exit-code.js';
import { type OutputFormat, formatTable, printJson, println } from '../output.js';

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
      print(first.events);
      let last = first.last;
      for (;;) {
        await new Promise((r) => setTimeout(r, FOLLOW_INTERVAL_MS));
        const next = await client.request('events', { ...(app === undefined ? {} : { app }), after: last });
        print(next.events);
        last = next.last;
      }
    } finally {
      client.close();
    }
  });
