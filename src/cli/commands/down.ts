import { DaemonClient } from '../../daemon/client.js';
import { homePaths } from '../../daemon/paths.js';
import { loadOrFail } from '../load-file.js';
import type { OutputFormat } from '../output.js';
import { printJson, println, useColor } from '../output.js';
import { describeResult } from './apply.js';

/** `orch down [file]`: stop and forget every app of the file's project. JSON: `[{ "app", "type", "ok", "reason"? }]`. */
export const down = async (file: string, opts: { output: OutputFormat }): Promise<void> => {
  const desired = await loadOrFail(file);
  const client = await DaemonClient.tryConnect(homePaths());
  if (!client) {
    if (opts.output === 'json') printJson([]);
    else println(`Nothing to stop: no daemon is running.`);
    return;
  }
  try {
    const results = await client.request('down', { project: desired.project });
    if (opts.output === 'json') printJson(results);
    else if (results.length === 0) println(`Nothing to stop: project "${desired.project}" has no apps running.`);
    else for (const r of results) println(describeResult(r, useColor()));
    process.exitCode = results.every((r) => r.ok) ? 0 : 3;
  } finally {
    client.close();
  }
};
