// What `orch top` draws, as pure functions of what it last heard from the daemon: the header,
// status's own table, the footer, and the fit to a terminal's size. The I/O is in commands/top.ts.
import { durationWithUnit, formatApproxDuration } from '../units.js';
import { type StatusAppJson, renderStatus } from './commands/status.js';
import { clip, paint } from './output.js';

/** The daemon as top last saw it: answering (with its apps), or lost since a time, and why. */
export type TopLink =
  | { readonly state: 'live'; readonly pid: number; readonly startedAt: number; readonly apps: readonly StatusAppJson[] }
  | { readonly state: 'lost'; readonly since: number; readonly lastPid: number | undefined; readonly reason: string };

/** A frame in three parts, so fitting it to a small screen cuts the body and keeps the rest. */
export interface TopFrame {
  readonly head: readonly string[];
  readonly body: readonly string[];
  readonly foot: readonly string[];
}

export interface FrameOptions {
  readonly color: boolean;
  readonly intervalMs: number;
  /** `-p`: the apps shown are this project's. */
  readonly project?: string | undefined;
  /** The keys footer: only where keys are read (a live terminal). */
  readonly keys: boolean;
}

const MIN_INTERVAL_MS = 100;
const MAX_INTERVAL_MS = 3_600_000;

/** `--interval`: a duration with its unit (`500ms`, `1s`, `2m`), 100ms to 1h; undefined when not one. */
export const parseInterval = (value: string): number | undefined => {
  const n = durationWithUnit(value);
  return n !== undefined && n >= MIN_INTERVAL_MS && n <= MAX_INTERVAL_MS ? n : undefined;
};

/** An app is online when it has instances and every one of them is. */
export const onlineCounts = (apps: readonly StatusAppJson[]) => {
  const instances = apps.flatMap((a) => a.instances);
  return {
    apps: apps.length,
    appsOnline: apps.filter((a) => a.instances.length > 0 && a.instances.every((i) => i.state === 'online')).length,
    instances: instances.length,
    instancesOnline: instances.filter((i) => i.state === 'online').length,
  };
};

const clock = (t: number): string => new Date(t).toTimeString().slice(0, 8);

export const topFrame = (link: TopLink, now: number, opts: FrameOptions): TopFrame => {
  const { color } = opts;
  const every = `refresh ${formatApproxDuration(opts.intervalMs)}`;
  const foot = opts.keys ? [paint.dim(color, `q quit · Ctrl-C quit · ${every} · charts of cpu and memory: orch dashboard`)] : [];
  if (link.state === 'lost') {
    const was = link.lastPid === undefined ? '' : ` (was pid ${link.lastPid})`;
    return {
      head: [`orch top  ${clock(now)}  ${paint.red(color, `daemon unreachable since ${clock(link.since)}${was}`)}, retrying every ${formatApproxDuration(opts.intervalMs)}`],
      body: [link.reason],
      foot,
    };
  }
  const c = onlineCounts(link.apps);
  const daemon = `daemon pid ${link.pid}, up ${formatApproxDuration(now - link.startedAt)}`;
  const counts = `apps ${c.appsOnline}/${c.apps} online, instances ${c.instancesOnline}/${c.instances} online`;
  return { head: [`orch top  ${clock(now)}  ${daemon}  ${counts}`], body: renderStatus(link.apps, { color, project: opts.project }).split('\n'), foot };
};

/** The frame as lines for a stream: no blank line inside it, so frames are split by one. */
export const streamLines = (frame: TopFrame): string[] => [...frame.head, ...frame.body, ...frame.foot];

/**
 * The frame on a `columns`×`rows` screen: a blank line around the body, every line cut to the
 * width (a wrapped line would shift every row under it), and the body cut to the height with a
 * line that says how much is not shown; head and foot stay.
 */
export const screenLines = (frame: TopFrame, columns: number, rows: number): string[] => {
  const fixed = frame.head.length + 1 + (frame.foot.length > 0 ? frame.foot.length + 1 : 0);
  const room = Math.max(1, rows - fixed);
  const body =
    frame.body.length <= room ? frame.body : [...frame.body.slice(0, room - 1), `… ${frame.body.length - room + 1} more lines (orch status shows them all)`];
  const lines = [...frame.head, '', ...body, ...(frame.foot.length > 0 ? ['', ...frame.foot] : [])];
  return lines.slice(0, Math.max(1, rows)).map((l) => clip(l, Math.max(1, columns)));
};
