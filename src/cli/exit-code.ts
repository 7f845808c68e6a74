import { exitCodeFor, isOrchError } from '../errors.js';
import { eprintln } from './output.js';

/** Prints what went wrong (unless commander already has) and returns the exit code for it. */
export const exitCodeOf = (e: unknown): number => {
  // Recognised by their `commander.*` codes (and our own `orch.usage`), so the entry need not
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
