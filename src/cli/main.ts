// The `orch` entry, bundled alone as CommonJS (dist/cli.cjs). `orch status` is the one command on
// a latency budget (half of `pm2 ls`, a benchmark target), so its plain forms are handled here
// without the ESM loader or the argument parser; every other command line, including any status
// flag the fast path does not know, goes to the full program (dist/program.js), which reports
// its own errors: OrchError is a different class in each bundle.
import { exitCodeOf } from './exit-code.js';
import { status } from './commands/status.js';
import { statusFastPath } from './status-fast-path.js';

const fast = statusFastPath(process.argv.slice(2));
const run = fast ? status(fast) : import('./program.js').then((p) => p.runProgram(process.argv));
run.catch((e: unknown) => {
  process.exitCode = exitCodeOf(e);
});
