import type { OutputFormat } from './output.js';

/**
 * `status` / `ls` / `list` with nothing but an output format, or undefined for anything else (help, a
 * typo, another flag), which the full parser then handles and explains.
 */
export const statusFastPath = (argv: readonly string[]): { output: OutputFormat } | undefined => {
  const [command, ...rest] = argv;
  if (command !== 'status' && command !== 'ls' && command !== 'list') return undefined;
  const format = (v: string | undefined): OutputFormat | undefined => (v === 'json' || v === 'human' ? v : undefined);
  let output: OutputFormat | undefined;
  if (rest.length === 0) output = 'human';
  else if (rest.length === 2 && (rest[0] === '-o' || rest[0] === '--output')) output = format(rest[1]);
  else if (rest.length === 1 && rest[0]!.startsWith('--output=')) output = format(rest[0]!.slice('--output='.length));
  return output === undefined ? undefined : { output };
};
