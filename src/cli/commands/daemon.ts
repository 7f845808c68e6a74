import { DaemonClient, timeoutsFromEnv } from '../../daemon/client.js';
import { lockHolder } from '../../daemon/lock.js';
import type { HomePaths } from '../../daemon/paths.js';
import { homePaths } from '../../daemon/paths.js';
import { isAlive, processStartTicks } from '../../process/proc-stat.js';
import { OrchError } from '../../errors.js';
import type { OutputFormat } from '../output.js';
import { printJson, println } from '../output.js';

const EXIT_WAIT_MS = 15_000;

/**
 * `orch daemon start|stop|status`. JSON: `{ "running": boolean, "pid"?, "version"?, "protocol"?, "home", "uptime_ms"?, "socket"? }`.
 * A daemon whose socket is gone or refuses is still found through its lock file (SPEC §10):
 * `status` reports it with `"socket": false`, `stop` sends it SIGTERM.
 */
export const daemonVerb = async (verb: 'start' | 'stop' | 'status', opts: { output: OutputFormat }): Promise<void> => {
  const paths = homePaths();
  const client = verb === 'start' ? await DaemonClient.connect(paths) : await DaemonClient.tryConnect(paths);
  if (!client) {
    const holder = lockHolder(paths.lock);
    if (!holder) return report(opts.output, { running: false, home: paths.home }, `No daemon is running in ${paths.home}.`);
    return verb === 'stop' ? stopThroughLock(paths, holder, opts.output) : statusThroughLock(paths, holder, opts.output);
  }
  try {
    const info = await client.request('hello', {});
    if (verb === 'stop') {
      const { stopped } = await client.request('shutdown', {});
      await waitForExit(info.pid, EXIT_WAIT_MS);
      report(opts.output, { running: false, home: paths.home, pid: info.pid }, `Daemon ${info.pid} stopped (${stopped} app${stopped === 1 ? '' : 's'} stopped).`);
      return;
    }
    const uptime = Date.now() - info.startedAt;
    report(
      opts.output,
      { running: true, home: paths.home, pid: info.pid, version: info.version, protocol: info.protocol, uptime_ms: uptime, socket: true },
      `Daemon running: pid ${info.pid}, orch ${info.version}, protocol ${info.protocol}, home ${paths.home}.`,
    );
  } finally {
    client.close();
  }
};

/** The daemon runs but its socket does not answer: give it the short deadline to bind it again. */
const statusThroughLock = async (paths: HomePaths, holder: { pid: number }, output: OutputFormat): Promise<void> => {
  const deadline = Date.now() + timeoutsFromEnv().shortMs;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    const client = await DaemonClient.tryConnect(paths);
    if (client) {
      client.close();
      return daemonVerb('status', { output });
    }
  }
  report(
    output,
    { running: true, home: paths.home, pid: holder.pid, socket: false },
    `Daemon running: pid ${holder.pid}, home ${paths.home}, but it does not answer on ${paths.socket} (found through ${paths.lock}; see ${paths.daemonLog}).`,
  );
};

/** SIGTERM to the process the lock names, checked again by pid and start time: the daemon stops its apps, then exits. */
const stopThroughLock = async (paths: HomePaths, holder: { pid: number; start: string }, output: OutputFormat): Promise<void> => {
  if (processStartTicks(holder.pid) === holder.start) {
    try {
      process.kill(holder.pid, 'SIGTERM');
    } catch {
      // exited meanwhile
    }
  }
  await waitForExit(holder.pid, EXIT_WAIT_MS);
  if (processStartTicks(holder.pid) === holder.start) {
    throw new OrchError('ORCH_DAEMON_UNAVAILABLE', `the orch daemon (pid ${holder.pid}, ORCH_HOME ${paths.home}) did not exit within ${EXIT_WAIT_MS / 1000}s of SIGTERM; see ${paths.daemonLog}`);
  }
  report(output, { running: false, home: paths.home, pid: holder.pid }, `Daemon ${holder.pid} stopped (through its lock file: its socket did not answer).`);
};

const report = (format: OutputFormat, json: object, text: string) => (format === 'json' ? printJson(json) : println(text));

const waitForExit = async (pid: number, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
};
