import { DaemonClient } from '../../daemon/client.js';
import { homePaths } from '../../daemon/paths.js';
import type { OutputFormat } from '../output.js';
import { printJson, println, useColor } from '../output.js';
import { createProgress } from '../progress.js';
import { describeResult, logsHint } from './apply.js';

/** `orch stop|start|restart|reload|delete <app>`; JSON: `{ "app", "type", "ok", "reason"? }`. Exit 0, or 3 if it failed. */
export const appVerb = async (
  verb: 'stop' | 'start' | 'restart' | 'reload' | 'delete',
  app: string,
  opts: { output: OutputFormat },
): Promise<void> => {
  const client = await DaemonClient.connect(homePaths());
  const progress = createProgress();
  try {
    if (opts.output === 'human') progress.start(`${app}: ${verb}`);
    const result = await client.request(verb, { app }).finally(() => progress.stop());
    if (opts.output === 'json') printJson(result);
    else {
      if (verb === 'reload' && result.type === 'restart') println(`${app} shares no port (fork mode): reloading it is a restart.`);
      println(describeResult(result, useColor()));
      const hint = verb === 'stop' || verb === 'delete' ? undefined : logsHint([result]);
      if (hint !== undefined) println(hint);
    }
    process.exitCode = result.ok ? 0 : 3;
  } finally {
    client.close();
  }
};
