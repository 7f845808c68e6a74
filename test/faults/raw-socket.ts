// A client that speaks to the control socket byte by byte, as a hostile or broken one would.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';

export interface RawExchange {
  /** Every line the daemon sent, parsed. */
  readonly replies: unknown[];
  /** Whether the daemon closed the connection. */
  readonly closed: boolean;
}

/**
 * Writes `payload`, then collects lines until `replies` lines arrived (then closes, unless
 * `untilClose`) or the daemon closes the connection; rejects after `timeoutMs` (a daemon that
 * never answers, or never closes when `untilClose`, is the failure).
 */
export const exchange = (
  socketPath: string,
  payload: string | Buffer,
  { replies = 1, timeoutMs = 10_000, untilClose = false } = {},
): Promise<RawExchange> =>
  new Promise((resolve, reject) => {
    const s = connect(socketPath);
    const lines: unknown[] = [];
    let buffered = '';
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      resolve({ replies: lines, closed });
    };
    const timer = setTimeout(() => {
      done = true;
      s.destroy();
      reject(new Error(`no ${untilClose ? 'close' : 'reply'} within ${timeoutMs}ms (got ${lines.length} of ${replies} replies)`));
    }, timeoutMs);
    // EPIPE/ECONNRESET once the daemon has hung up on a big write: what matters is what it said.
    s.on('error', () => finish(true));
    s.on('close', () => finish(true));
    s.on('connect', () => s.write(payload));
    s.on('data', (d) => {
      buffered += d.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) !== -1) {
        lines.push(JSON.parse(buffered.slice(0, nl)));
        buffered = buffered.slice(nl + 1);
      }
      if (lines.length >= replies && !untilClose) finish(false);
    });
  });

export interface ErrorReply {
  readonly id: number;
  readonly ok: false;
  readonly error: { readonly code: string; readonly message: string };
}

/** The resident set of `pid`, bytes. */
export const rssOf = (pid: number): number => {
  const line = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!line) throw new Error(`no VmRSS for ${pid}`);
  return Number(line[1]) * 1024;
};
