import { DaemonClient, timeoutsFromEnv } from '../../daemon/client.js';
import { lockHolder } from '../../daemon/lock.js';
import type { HomePaths } from '../../daemon/paths.js';
import { homePaths } from '../../daemon/paths.js';
import { isAlive, processStartTicks } from '../../process/proc-stat.js';
import { OrchError } from '../../errors.js';
import { checkMetricsAddr, metricsUrl } from '../../daemon/metrics-addr.js';
import type { OutputFormat } from '../output.js';
import { eprintln, printJson, println } from '../output.js';
import type { Outcome } from '../exit-code.js';

const EXIT_WAIT_MS = 15_000;

/**
 * `orch daemon start|stop|status`. JSON: `{ "running": boolean, "pid"?, "version"?, "protocol"?, "home", "uptime_ms"?, "socket"? }`.
 * A daemon whose socket is gone or refuses is still found through its lock file (SPEC §10):
 * `status` reports it with `"socket": false`, `stop` sends it SIGTERM.
 */
export const daemonVerb = async (verb: 'start' | 'stop' | 'status', opts: DaemonOptions): Promise<Outcome | void> => {
  const paths = homePaths();
  const wantedMetrics = verb === 'start' ? await metricsWanted(paths, opts) : undefined;
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
      {
        running: true,
        home: paths.home,
        pid: info.pid,
        version: info.version,
        protocol: info.protocol,
        uptime_ms: uptime,
        socket: true,
        ...(info.metricsUrl === undefined ? {} : { metrics: info.metricsUrl }),
      },
      `Daemon running: pid ${info.pid}, orch ${info.version}, protocol ${info.protocol}, home ${paths.home}.${info.metricsUrl === undefined ? '' : ` Metrics: ${info.metricsUrl}.`}`,
    );
    // Asked for metrics, and the daemon could not serve them (the port is taken…): say why, exit 3.
    if (wantedMetrics !== undefined && info.metricsUrl === undefined) {
      eprintln(`orch: ${info.warnings.find((w) => w.startsWith('metrics not served')) ?? `metrics are not served on ${wantedMetrics}`}`);
      return 'failed';
    }
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
      await daemonVerb('status', { output });
      return;
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

export interface DaemonOptions {
  readonly output: OutputFormat;
  /** start: serve GET /metrics on this HOST:PORT (ORCH_METRICS_ADDR of the daemon). */
  readonly metrics?: string | undefined;
  /** start: allow a non-loopback --metrics address (ORCH_METRICS_PUBLIC=1). */
  readonly metricsPublic?: boolean | undefined;
}

/**
 * `start --metrics ADDR`: the address checked as the daemon will check it, handed to the daemon
 * through its environment. A daemon already running cannot take it: refused, saying how.
 */
const metricsWanted = async (paths: HomePaths, opts: DaemonOptions): Promise<string | undefined> => {
  if (opts.metrics === undefined) {
    if (opts.metricsPublic) throw new OrchError('ORCH_USAGE', '--metrics-public needs --metrics HOST:PORT');
    return undefined;
  }
  const checked = checkMetricsAddr(opts.metrics, opts.metricsPublic === true);
  if (!checked.ok) throw new OrchError('ORCH_USAGE', checked.problem);
  const running = await DaemonClient.tryConnect(paths);
  if (running) {
    let info;
    try {
      info = await running.request('hello', {});
    } finally {
      running.close();
    }
    if (info.metricsUrl !== metricsUrl(checked.addr)) {
      throw new OrchError(
        'ORCH_USAGE',
        `the daemon (pid ${info.pid}) already runs ${info.metricsUrl === undefined ? 'without metrics' : `with its metrics at ${info.metricsUrl}`}: 'orch daemon stop', then 'orch daemon start --metrics ${opts.metrics}'`,
      );
    }
  }
  process.env.ORCH_METRICS_ADDR = opts.metrics;
  if (opts.metricsPublic) process.env.ORCH_METRICS_PUBLIC = '1';
  else delete process.env.ORCH_METRICS_PUBLIC;
  return opts.metrics;
};

const report = (format: OutputFormat, json: object, text: string) => (format === 'json' ? printJson(json) : println(text));

const waitForExit = async (pid: number, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
};
