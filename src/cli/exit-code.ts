import { isOrchError } from '../errors.js';
import type { OutputFormat } from './output.js';
import { eprintln, printJson } from './output.js';

/**
 * What a command came to, when it did not throw. Commands return one; `exitCodeOfOutcome` is the
 * one place it becomes an exit code (SPEC §4), as `exitCodeOf` is for errors.
 * - `ok` (0), `changes` (1: `diff` found some), `invalid` (2: `validate` printed the errors),
 *   `failed` (3: apply, a verb, rollback or down did not converge; each failure was printed).
 */
export type Outcome = 'ok' | 'changes' | 'invalid' | 'failed';

const OUTCOME_EXIT: Readonly<Record<Outcome, number>> = { ok: 0, changes: 1, invalid: 2, failed: 3 };

export const exitCodeOfOutcome = (outcome: Outcome): number => OUTCOME_EXIT[outcome];

/** `failed` unless every result is ok: the outcome of an apply, a verb or a down. */
export const outcomeOf = (results: readonly { readonly ok: boolean }[]): Outcome => (results.every((r) => r.ok) ? 'ok' : 'failed');

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
    // Every error is exit 2; exit 3 (did not converge) is an outcome, not an error.
    return 2;
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
export const withJsonError = async <T>(output: OutputFormat, run: () => Promise<T>): Promise<T> => {
  try {
    return await run();
  } catch (e) {
    const json = output === 'json' ? jsonErrorOf(e) : undefined;
    if (json !== undefined) printJson(json);
    throw e;
  }
};
