// An app's log for one page: its last lines, then the new ones as they are written, read from the
// files the daemon writes (the same readers as `orch logs -f`). Polls only while the page listens.
import { logFilePath } from '../../logs/files.js';
import { LogFollower } from '../../logs/follow.js';
import { parseRecord } from '../../logs/record.js';
import { tailApp } from '../../logs/tail.js';
import type { LogLine } from './wire.js';

export const LOG_POLL_MS = 250;
export const LOG_TAIL_LINES = 200;

export const logLineOf = (text: string): LogLine => {
  const r = parseRecord(text);
  return r === undefined ? { time: '', instance: null, stream: null, line: text } : { time: r.time, instance: r.instance, stream: r.stream, line: r.line };
};

/** Sends the tail, then follows; the returned function stops following and closes the file. */
export const followAppLog = async (home: string, app: string, send: (lines: readonly LogLine[]) => void): Promise<() => Promise<void>> => {
  const file = logFilePath(home, app);
  const tail = await tailApp(file, LOG_TAIL_LINES, true);
  send(tail.lines.map(logLineOf));
  const follower = new LogFollower(file, (lines) => send(lines.map(logLineOf)), tail.live);
  let polling: Promise<void> = Promise.resolve();
  let stopped = false;
  const timer = setInterval(() => {
    // One poll at a time: a slow disk must not pile reads up.
    polling = polling.then(() => (stopped ? undefined : follower.poll())).catch(() => undefined);
  }, LOG_POLL_MS);
  return async () => {
    stopped = true;
    clearInterval(timer);
    await polling;
    await follower.close();
  };
};
