// App specs for tests, built by the normalizer itself: the defaults of SPEC §3 come from the code
// that fills them in (src/config/normalize.ts), so a test's spec cannot drift from the real one.
// test/unit/config/normalize.test.ts is the one place that spells the defaults out.
import type { AppSpec } from '../../src/config/desired.js';
import { mergeApp } from '../../src/config/merge-defaults.js';
import { normalizeApp } from '../../src/config/normalize.js';

export interface DefaultAppOptions {
  readonly name: string;
  readonly project: string;
  /** `run` as a list (no shell). */
  readonly run: readonly string[];
  /** The ecosystem file's directory: the app's cwd. */
  readonly fileDir: string;
  readonly baseEnv?: Readonly<Record<string, string>>;
}

/** The spec of `apps: { <name>: { run: [...] } }` and nothing else: a fork app, one instance, no port. */
export const defaultApp = ({ name, project, run, fileDir, baseEnv = {} }: DefaultAppOptions): AppSpec => {
  const { draft, problems } = normalizeApp(mergeApp(name, { run: [...run] }, undefined), { fileDir, project, cpus: 2 });
  if (problems.length > 0) throw new Error(`defaultApp: the normalizer refused ${JSON.stringify(run)}: ${JSON.stringify(problems)}`);
  return { ...draft.spec, env: {}, baseEnv };
};

/** Overrides for a spec: top-level fields replace, the nested settings merge key by key. */
export type SpecOverrides = Partial<Omit<AppSpec, 'restart' | 'shutdown' | 'ready' | 'reload'>> & {
  readonly restart?: Partial<AppSpec['restart']>;
  readonly shutdown?: Partial<AppSpec['shutdown']>;
  readonly ready?: Partial<AppSpec['ready']>;
  readonly reload?: Partial<AppSpec['reload']>;
};

export const withOverrides = (base: AppSpec, over: SpecOverrides = {}): AppSpec => {
  const { restart, shutdown, ready, reload, ...rest } = over;
  return {
    ...base,
    ...rest,
    restart: { ...base.restart, ...restart },
    shutdown: { ...base.shutdown, ...shutdown },
    ready: { ...base.ready, ...ready },
    reload: { ...base.reload, ...reload },
  };
};

/** The restart settings of an app that sets none (SPEC §3). */
export const defaultRestart = (): AppSpec['restart'] =>
  defaultApp({ name: 'app', project: 'test', run: ['node', 'app.js'], fileDir: '/' }).restart;
