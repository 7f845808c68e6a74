import { DaemonClient } from '../../daemon/client.js';
import { removeProjectWithoutDaemon } from '../../daemon/offline-state.js';
import type { HomePaths } from '../../daemon/paths.js';
import { homePaths } from '../../daemon/paths.js';
import type { ActionResult } from '../../daemon/protocol.js';
import { succeeded } from '../../reconcile/results.js';
import { OrchError } from '../../errors.js';
import { projectOrFail } from '../load-file.js';
import type { OutputFormat } from '../output.js';
import { printJson, println, useColor } from '../output.js';
import { describeResult } from './apply.js';
import { type Outcome, outcomeOf } from '../exit-code.js';

/** How long `down` waits for a daemon that holds the lock (starting or stopping) to answer or exit. */
const BUSY_DAEMON_WAIT_MS = 10_000;

/**
 * `orch down [file]`: stop and forget every app of the file's project. With no daemon running it
 * removes the project from the persisted state itself and starts none (a daemon would bring the
 * project back first). JSON: `[{ "app", "type", "ok", "reason"? }]` (with no daemon: a `delete` per app removed).
 */
export const down = async (file: string, opts: { output: OutputFormat }): Promise<Outcome> => {
  const project = await projectOrFail(file);
  const paths = homePaths();
  const deadline = Date.now() + BUSY_DAEMON_WAIT_MS;
  for (;;) {
    const client = await DaemonClient.tryConnect(paths);
    if (client) return downThroughDaemon(client, project, opts);
    const removal = await removeProjectWithoutDaemon(paths, project);
    if (removal.kind === 'absent') return report([], opts, `Nothing to stop: no daemon is running and project '${project}' is not in the persisted state.`);
    if (removal.kind === 'removed') {
      const n = removal.apps.length;
      const results = removal.apps.map((app) => succeeded(app, 'delete'));
      return report(results, opts, `Removed project '${project}' (${n} app${n === 1 ? '' : 's'}) from the persisted state; no daemon was running.`);
    }
    // A daemon holds the lock but does not answer yet (starting) or any more (stopping): wait for either.
    if (Date.now() > deadline) throw busyDaemon(paths);
    await new Promise((r) => setTimeout(r, 50));
  }
};

const downThroughDaemon = async (client: DaemonClient, project: string, opts: { output: OutputFormat }): Promise<Outcome> => {
  try {
    const results = await client.request('down', { project });
    if (opts.output === 'json') printJson(results);
    else if (results.length === 0) println(`Nothing to stop: project "${project}" has no apps running.`);
    else for (const r of results) println(describeResult(r, useColor()));
    return outcomeOf(results);
  } finally {
    client.close();
  }
};

const report = (results: readonly ActionResult[], opts: { output: OutputFormat }, message: string): Outcome => {
  if (opts.output === 'json') printJson(results);
  else println(message);
  return 'ok';
};

const busyDaemon = (paths: HomePaths): OrchError =>
  new OrchError(
    'ORCH_DAEMON_UNAVAILABLE',
    `a daemon holds ${paths.lock} but did not answer within ${BUSY_DAEMON_WAIT_MS / 1000}s: see ${paths.daemonLog}`,
  );
