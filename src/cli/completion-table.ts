// The command table shell completion is generated from, read off the program's own commander
// commands, so a new command or flag completes without anyone touching the scripts.
import type { Command } from 'commander';

/** What a positional argument completes to: app names (`apps` adds `all`), files, fixed words, or nothing. */
export type ArgKind = { readonly kind: 'app' | 'apps' | 'file' | 'none' } | { readonly kind: 'choice'; readonly words: readonly string[] };

export interface OptionEntry {
  /** `-o` and/or `--output`. */
  readonly flags: readonly string[];
  readonly takesValue: boolean;
  readonly choices: readonly string[];
  readonly description: string;
}

export interface CommandEntry {
  /** Path from the program: `['daemon', 'start']`. */
  readonly path: readonly string[];
  readonly names: readonly string[];
  readonly description: string;
  readonly options: readonly OptionEntry[];
  /** Positional arguments in order; the last one repeats when variadic. */
  readonly args: readonly ArgKind[];
  readonly subcommands: readonly CommandEntry[];
}

const argKind = (name: string, variadic: boolean, choices: readonly string[] | undefined): ArgKind => {
  if (choices !== undefined && choices.length > 0) return { kind: 'choice', words: [...choices].sort() };
  if (name === 'app' || name === 'apps') return { kind: variadic ? 'apps' : 'app' };
  if (name === 'file') return { kind: 'file' };
  return { kind: 'none' };
};

const HELP: OptionEntry = { flags: ['-h', '--help'], takesValue: false, choices: [], description: 'display help' };

export const commandTable = (cmd: Command, path: readonly string[] = []): CommandEntry => ({
  path,
  names: path.length === 0 ? [] : [cmd.name(), ...cmd.aliases()],
  description: cmd.description(),
  options: [
    ...cmd.options.map((o) => ({
      flags: [o.short, o.long].filter((f): f is string => f !== undefined),
      takesValue: o.required || o.optional,
      choices: [...(o.argChoices ?? [])].sort(),
      description: o.description,
    })),
    HELP,
  ],
  args: cmd.registeredArguments.map((a) => argKind(a.name(), a.variadic, a.argChoices)),
  subcommands: [...cmd.commands].sort((a, b) => (a.name() < b.name() ? -1 : 1)).map((c) => commandTable(c, [...path, c.name()])),
});
