import { DaemonClient } from '../../daemon/client.js';
import { homePaths } from '../../daemon/paths.js';
import { withJsonError } from '../exit-code.js';
import { type OutputFormat, printJson, println } from '../output.js';

/**
 * `orch flush [app]`: through the daemon, which owns the log writers (an open writer must not be
 * left appending to an unlinked file). JSON: `{ "apps": string[] }`, the apps whose logs were emptied.
 */
export const flush = (app: string | undefined, opts: { output: OutputFormat }): Promise<void> =>
  withJsonError(opts.output, async () => {
    const client = await DaemonClient.connect(homePaths());
    let result;
    try {
      result = await client.request('flush', app === undefined ? {} : { app });
    } finally {
      client.close();
    }
    if (opts.output === 'json') printJson(result);
    else println(result.apps.length === 0 ? 'No logs to flush.' : `Flushed the logs of ${result.apps.join(', ')}.`);
  });
