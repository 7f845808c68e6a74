// The `orch` entry, bundled alone as CommonJS (dist/cli.cjs). `orch status` is the one command on
// a latency budget (half of `pm2 ls`, a benchmark target), so its plain forms are handled here
// without the ESM loader or the argument parser; every other command line, including any status
// flag the fast path does not know, goes to the full program (dist/program.js), which reports
// its own errors: OrchError is a different class in each bundle.
import { VERSION } from '../version.js';
import { exitCodeOf } from './exit-code.js';
import { status } from './commands/status.js';
import { println } from './output.js';
import { statusFastPath } from './status-fast-path.js';

const args = process.argv.slice(2);
const fast = statusFastPath(args);
// `--version` too: the CLI's start-up floor, which the benchmarks compare status against.
const version = args.length === 1 && (args[0] === '--version' || args[0] === '-v');
const run = fast
  ? status(fast)
  : version
    ? Promise.resolve(println(VERSION))
    : import('./program.js').then((p) => p.runProgram(process.argv));
run.catch((e: unknown) => {
  process.exitCode = exitCodeOf(e);
});
