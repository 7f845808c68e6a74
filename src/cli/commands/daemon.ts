import { DaemonClient } from '../../daemon/client.js';
import { homePaths } from '../../daemon/paths.js';
import { isAlive } from '../../daemon/process-identity.js';
import type { OutputFormat } from '../output.js';
import { printJson, println } from '../output.js';

/** `orch daemon start|stop|status`. JSON: `{ "running": boolean, "pid"?, "version"?, "protocol"?, "home", "uptime_ms"? }`. */
export const daemonVerb = async (verb: 'start' | 'stop' | 'status', opts: { output: OutputFormat }): Promise<void> => {
  const paths = homePaths();
  const client = verb === 'start' ? await DaemonClient.connect(paths) : await DaemonClient.tryConnect(paths);
  if (!client) {
    report(opts.output, { running: false, home: paths.home }, `No daemon is running in ${paths.home}.`);
    return;
  }
  try {
    const info = await client.request('hello', {});
    if (verb === 'stop') {
      const { stopped } = await client.request('shutdown', {});
      await waitForExit(info.pid, 15_000);
      report(opts.output, { running: false, home: paths.home, pid: info.pid }, `Daemon ${info.pid} stopped (${stopped} app${stopped === 1 ? '' : 's'} stopped).`);
      return;
    }
    const uptime = Date.now() - info.startedAt;
    report(
      opts.output,
      { running: true, home: paths.home, pid: info.pid, version: info.version, protocol: info.protocol, uptime_ms: uptime },
      `Daemon running: pid ${info.pid}, orch ${info.version}, protocol ${info.protocol}, home ${paths.home}.`,
    );
  } finally {
    client.close();
  }
};

const report = (format: OutputFormat, json: object, text: string) => (format === 'json' ? printJson(json) : println(text));

const waitForExit = async (pid: number, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
};
