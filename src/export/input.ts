// What every exporter takes and gives back, and the facts about an app they all need. Pure: the
// CLI reads the file and the env files first (src/cli/commands/export.ts).
import type { AppSpec, ReadyType } from '../config/desired.js';
import { OrchError } from '../errors.js';
import type { FidelityRow } from './fidelity.js';
import { formatDuration } from '../units.js';

export type ExportTarget = 'kubernetes' | 'systemd' | 'compose';

export interface ExportInput {
  readonly project: string;
  /** Sorted by name, as in the DesiredState. */
  readonly apps: readonly AppSpec[];
  /**
   * Per app name: the variables of its env_file, as the loader parsed them. Kubernetes puts the
   * ones `env` does not override into a Secret; the others only need the names.
   */
  readonly envFiles: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** `--image`: the image of apps whose file names none. */
  readonly image?: string;
  /** systemd: user units (`systemctl --user`) instead of system units. */
  readonly user?: boolean;
}

export interface ExportFile {
  /** Relative to `--out`. */
  readonly path: string;
  readonly text: string;
}

export interface ExportResult {
  readonly files: readonly ExportFile[];
  /** What is printed on stdout without `--out`: every file, as one stream the engine's tool reads. */
  readonly stream: string;
  readonly fidelity: readonly FidelityRow[];
}

/** Where an app's environment comes from, by name: `env` of the file, or its env_file. */
export interface EnvSplit {
  /** Declared by `env` (they win over env_file), with their values. */
  readonly declared: Readonly<Record<string, string>>;
  /** From env_file and not overridden by `env`: names only, values stay in the env file. */
  readonly fromFile: readonly string[];
  /** In env_file, but `env` sets them to another value. */
  readonly overridden: readonly string[];
}

// WARNING: AppSpec.env is env_file overlaid by env; a name whose value equals the env file's is
// counted as the env file's, so a value that may be a secret is never written as plain config.
export const splitEnv = (spec: AppSpec, envFile: Readonly<Record<string, string>> | undefined): EnvSplit => {
  const file = envFile ?? {};
  const declared: Record<string, string> = {};
  const fromFile: string[] = [];
  const overridden: string[] = [];
  for (const name of Object.keys(spec.env).sort()) {
    const value = spec.env[name]!;
    if (Object.hasOwn(file, name) && file[name] === value) fromFile.push(name);
    else {
      declared[name] = value;
      if (Object.hasOwn(file, name)) overridden.push(name);
    }
  }
  return { declared, fromFile, overridden };
};

/** The image of a container engine: the file's, else `--image`; none is a usage error. */
export const imageOf = (spec: AppSpec, target: 'kubernetes' | 'compose', flag: string | undefined): string => {
  const own = target === 'kubernetes' ? (spec.export?.kubernetes?.image ?? spec.export?.image) : (spec.export?.image ?? spec.export?.kubernetes?.image);
  const image = own ?? flag;
  if (image === undefined) {
    throw new OrchError(
      'ORCH_USAGE',
      `app '${spec.name}' has no image for ${target}: set 'export.image' (or 'export.kubernetes.image') in the file, or pass --image`,
    );
  }
  return image;
};

/** Where the image came from, for the fidelity report. */
export const imageSource = (spec: AppSpec, target: 'kubernetes' | 'compose'): string => {
  if (target === 'kubernetes' && spec.export?.kubernetes?.image !== undefined) return 'export.kubernetes.image';
  if (spec.export?.image !== undefined) return 'export.image';
  if (spec.export?.kubernetes?.image !== undefined) return 'export.kubernetes.image';
  return '--image';
};

/** Whole seconds, rounded up: engines that count in seconds never cut a grace period short. */
export const secondsCeil = (ms: number): number => Math.ceil(ms / 1000);

/** A duration as Compose and systemd write it: `5s`, or `250ms` when not whole seconds. */
export const durationText = (ms: number): string => formatDuration(ms, 's');

/** The signal without its SIG prefix, as `kill -s` and Kubernetes' docs name it. */
export const bareSignal = (signal: string): string => signal.replace(/^SIG/, '');

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** What orch waits for, per ready type: the words of the fidelity rows. */
export const READY_SIGNAL: Readonly<Record<ReadyType, string>> = {
  listening: "the cluster worker's 'listening' event",
  message: "process.send('ready')",
  notify: 'sd_notify READY=1',
  http: 'a 2xx answer',
  tcp: 'the port accepting',
  none: 'staying up for ready.delay',
};
