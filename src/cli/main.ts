// The `orch` entry. `orch status` is the one command on a latency budget (half of `pm2 ls`, a
// benchmark target), so its plain forms skip loading the full argument parser and are imported
// statically (no extra chunk round trips); every other command line, including any status flag
// the fast path does not know, goes through commander.
import { exitCodeFor, isOrchError } from '../errors.js';
import { eprintln } from './output.js';
import { status } from './commands/status.js';
import { statusFastPath } from './status-fast-path.js';

const exitCodeOf = (e: unknown): number => {
  // Recognised by their `commander.*` codes (and our own `orch.usage`), so this entry need not
  // load commander; class names do not survive minification.
  const code = (e as { code?: unknown } | undefined)?.code;
  const commander = typeof code === 'string' && (code.startsWith('commander.') || code === 'orch.usage') ? (e as Error & { code: string }) : undefined;
  if (commander) {
    if (['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(commander.code)) return 0;
    if (commander.code === 'orch.usage') eprintln(commander.message);
    return 2; // commander has already printed what was wrong
  }
  if (isOrchError(e)) {
    eprintln(e.code === 'ORCH_CONFIG_INVALID' ? e.message : `orch: ${e.message}`);
    return exitCodeFor(e.code);
  }
  eprintln(`orch: internal error: ${(e as Error).stack ?? String(e)}`);
  return 2;
};

try {
  const fast = statusFastPath(process.argv.slice(2));
  if (fast) await status(fast);
  else await (await import('./program.js')).runProgram(process.argv);
} catch (e) {
  process.exitCode = exitCodeOf(e);
}
