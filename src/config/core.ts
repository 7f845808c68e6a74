// The pure core of the loader: text in, result out, no I/O. It runs around the one thing it
// cannot know, the file system: `analyzeEcosystem` (parse, interpolate, validate, normalize,
// semantic checks) says which paths it needs (cwd directories and env files, then, from what
// they hold, `programsNeeded`: the candidates of scripts and commands); load.ts looks at them;
// `completeEcosystem` checks them and builds the frozen DesiredState.
import { basename, dirname } from 'node:path';
import { baseEnv } from './base-env.js';
import { acceptedDocument, brokenFields, invalidPaths } from './accepted.js';
import { checkApp, warnApp } from './app-checks.js';
import { checkDependencies } from './dependency-checks.js';
import { checkAgents, withAgentEdges } from './agent-role.js';
import type { AppSpec, Diagnostic, LoadResult } from './desired.js';
import { type Problem, type Segment, problem, sortDiagnostics, toDiagnostics } from './diagnostics.js';
import { type FileFacts, checkFiles, envFileVariables, neededPaths, programPaths } from './file-checks.js';
import { deepFreeze } from './freeze.js';
import { type Env, interpolateDocument } from './interpolate.js';
import { isMap, mergeApp } from './merge-defaults.js';
import { type AppDraft, normalizeApp } from './normalize.js';
import { parseYaml } from './parse-yaml.js';
import { checkPortClashes } from './port-clashes.js';
import type { PositionIndex } from './positions.js';
import { validateSchema } from './validate-schema.js';

export interface CoreInput {
  /** The file name as the caller passed it: used in Diagnostics. */
  readonly file: string;
  /** Absolute path of the file. */
  readonly absFile: string;
  readonly text: string;
  /** sha256 hex of the file's bytes. */
  readonly hash: string;
  /** The caller's environment: interpolation and the base environment of instances. */
  readonly env: Env;
  readonly cpus: number;
}

export type Analysis =
  | { readonly done: true; readonly errors: readonly Diagnostic[] }
  | {
      readonly done: false;
      readonly input: CoreInput;
      readonly positions: PositionIndex;
      readonly project: string;
      readonly drafts: readonly AppDraft[];
      readonly problems: readonly Problem[];
      readonly warnings: readonly Problem[];
      /** The first step's paths; the second step's come from `programsNeeded`. */
      readonly needs: { readonly dirs: readonly string[]; readonly envFiles: readonly string[] };
    };

const APP_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export const analyzeEcosystem = (input: CoreInput): Analysis => {
  const parsed = parseYaml(input.text);
  if (!parsed.ok) {
    return { done: true, errors: sortDiagnostics(parsed.errors.map((e) => ({ file: input.file, ...e }))) };
  }
  const { positions } = parsed;
  if (parsed.value === null || parsed.value === undefined) {
    const empty = problem([], 'key', "the file is empty: expected a map with 'version: 1' and 'apps'");
    return { done: true, errors: toDiagnostics(input.file, [empty], positions) };
  }
  const interpolated = interpolateDocument(parsed.value, input.env, positions);
  const underFailed = (p: Problem): boolean => interpolated.failed.some((f) => startsWith(p.path, f));
  const problems: Problem[] = [
    ...interpolated.problems,
    ...validateSchema(interpolated.value).filter((p) => !underFailed(p)),
  ];
  // One pass (SPEC §9): what the schema rejected is left out, every app is still normalized and
  // checked, and each check that reads a left-out field stays quiet.
  const invalid = invalidPaths(interpolated.value, [
    ...interpolated.failed,
    ...problems.flatMap((p) => (p.invalidates === undefined ? [] : [p.invalidates])),
  ]);
  const accepted = acceptedDocument(interpolated.value, invalid);
  const root = isMap(accepted) ? accepted : {};
  const fileDir = dirname(input.absFile);
  const project = typeof root.name === 'string' && APP_NAME.test(root.name) ? root.name : basename(fileDir);

  const defaults = isMap(root.defaults) ? root.defaults : undefined;
  const written = isMap(interpolated.value) && isMap(interpolated.value.apps) ? interpolated.value.apps : {};
  const apps = isMap(root.apps) ? root.apps : {};
  const normalized: AppDraft[] = [];
  for (const [name, app] of Object.entries(apps)) {
    if (!isMap(app)) continue;
    const { draft, problems: found } = normalizeApp(
      mergeApp(name, app, defaults),
      { fileDir, project, cpus: input.cpus },
      brokenFields(invalid, name, written[name]),
    );
    problems.push(...found);
    normalized.push(draft);
  }
  // The implicit edges of `role: agent` join depends_on before the checks read it.
  const drafts = withAgentEdges(normalized);
  problems.push(...checkAgents(drafts), ...drafts.flatMap(checkApp), ...checkPortClashes(drafts), ...checkDependencies(drafts, Object.keys(written)));
  return {
    done: false,
    input,
    positions,
    project,
    drafts,
    problems,
    warnings: drafts.flatMap(warnApp),
    needs: neededPaths(drafts),
  };
};

/** The second step's paths (scripts and commands), once the first step's facts are known. */
export const programsNeeded = (analysis: Analysis, facts: Pick<FileFacts, 'dirs' | 'envFiles'>): string[] =>
  analysis.done ? [] : programPaths(analysis.drafts, facts, analysis.input.env);

export const completeEcosystem = (analysis: Analysis, facts: FileFacts): LoadResult => {
  if (analysis.done) return { ok: false, errors: analysis.errors, warnings: [] };
  const { input, drafts, positions } = analysis;
  const problems = [...analysis.problems, ...checkFiles(drafts, facts, input.env)];
  const warnings = toDiagnostics(input.file, analysis.warnings, positions);
  if (problems.length > 0) {
    // A broken `name` would make the project the directory's name: not a name to act on.
    const nameBroken = problems.some((p) => p.path[0] === 'name');
    return { ok: false, errors: toDiagnostics(input.file, problems, positions), warnings, ...(nameBroken ? {} : { project: analysis.project }) };
  }
  const apps = drafts
    .map((d): AppSpec => ({
      ...d.spec,
      env: { ...envFileVariables(d, facts), ...d.fileEnv },
      baseEnv: baseEnv(input.env, d.inheritEnv),
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    ok: true,
    desired: deepFreeze({ project: analysis.project, file: input.absFile, hash: input.hash, apps }),
    warnings,
  };
};

const startsWith = (path: readonly Segment[], prefix: readonly Segment[]): boolean =>
  prefix.length <= path.length && prefix.every((s, i) => String(s) === String(path[i]));
