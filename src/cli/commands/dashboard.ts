// `orch dashboard [--port N] [--host ADDR]`: asks the daemon to serve the web dashboard and prints
// its URL, with a fresh token in the fragment. Opens nothing by itself (SPEC §12).
import { DaemonClient } from '../../daemon/client.js';
import { homePaths } from '../../daemon/paths.js';
import { withJsonError } from '../exit-code.js';
import { eprintln, type OutputFormat, printJson, println } from '../output.js';

/** JSON: `{ "url", "host", "port" }`. */
export const dashboard = (opts: { port?: number; host?: string; output: OutputFormat }): Promise<void> =>
  withJsonError(opts.output, async () => {
    const client = await DaemonClient.connect(homePaths());
    let info;
    try {
      info = await client.request('dashboard', { ...(opts.port === undefined ? {} : { port: opts.port }), ...(opts.host === undefined ? {} : { host: opts.host }) });
    } finally {
      client.close();
    }
    if (opts.output === 'json') return printJson(info);
    println(info.url);
    if (process.stdout.isTTY) eprintln('Open it in a browser on this machine; the token in the URL is the only key (keep it to yourself).');
  });
