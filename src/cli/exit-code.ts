import { exitCodeFor, isOrchError } from '../errors.js';
import type { OutputFormat } from './output.js';
import { eprintln, printJson } from './output.js';

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

/** What a command run with `--output json` prints on stdout when it fails with an OrchError. */
export interface JsonError {
  readonly ok: false;
  readonly error: { readonly code: string; readonly message: string };
}

export const jsonErrorOf = (e: unknown): JsonError | undefined =>
  isOrchError(e) ? { ok: false, error: { code: e.code, message: e.message } } : undefined;

/**
 * Runs a command; with `--output json`, an OrchError is also printed on stdout as a `JsonError`
 * (a script reads the stable code there) before it goes on to the one exit-code path above.
 */
export const withJsonError = async (output: OutputFormat, run: () => Promise<void>): Promise<void> => {
  try {
    await run();
  } catch (e) {
    const json = output === 'json' ? jsonErrorOf(e) : undefined;
    if (json !== undefined) printJson(json);
    throw e;
  }
};
