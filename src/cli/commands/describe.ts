import { DaemonClient } from '../../daemon/client.js';
import { homePaths } from '../../daemon/paths.js';
import { describeJson, renderDescribe } from '../describe-view.js';
import { withJsonError } from '../exit-code.js';
import { type OutputFormat, printJson, println, useColor } from '../output.js';

/** `orch describe|show|info <app> [--show-env]`; the JSON shape is `DescribeJson` (src/cli/describe-view.ts). */
export const describe = (app: string, opts: { output: OutputFormat; showEnv?: boolean }): Promise<void> =>
  withJsonError(opts.output, async () => {
    const client = await DaemonClient.connect(homePaths());
    let result;
    try {
      result = await client.request('describe', { app });
    } finally {
      client.close();
    }
    const json = describeJson(result, { showEnv: opts.showEnv === true, now: Date.now() });
    if (opts.output === 'json') printJson(json);
    else println(renderDescribe(json, useColor()));
  });
