import ms from 'ms';
import { DaemonClient } from '../../daemon/client.js';
import type { GenerationInfo } from '../../daemon/history.js';
import { homePaths } from '../../daemon/paths.js';
import { OrchError } from '../../errors.js';
import type { OutputFormat } from '../output.js';
import { formatTable, printJson, println } from '../output.js';
import { type Outcome, withJsonError } from '../exit-code.js';
import { showApply } from './apply.js';

/**
 * `orch history [--project P]`: every kept generation (ORCH_HISTORY_LIMIT per project), oldest first.
 * JSON: `[{ "number", "project", "time", "file", "hash", "commit"?, "dirty"?, "summary": { "create", "change", "delete" }, "rollbackOf"?, "repeats"? }]`
 * (`repeats`: an apply that changed nothing, pointing at the generation whose desired state it repeats).
 */
export const history = (opts: { output: OutputFormat; project?: string }): Promise<void> =>
  withJsonError(opts.output, async () => {
    const client = await DaemonClient.connect(homePaths());
    let generations: readonly GenerationInfo[];
    try {
      // The daemon answers an unknown --project with ORCH_UNKNOWN_PROJECT.
      generations = await client.request('history', projectParam(opts.project));
    } finally {
      client.close();
    }
    printHistory(generations, opts.output);
  });

const printHistory = (generations: readonly GenerationInfo[], output: OutputFormat): void => {
  if (output === 'json') {
    printJson(generations);
    return;
  }
  if (generations.length === 0) {
    println('No generations recorded yet: run orch apply.');
    return;
  }
  const now = Date.now();
  const rows = generations.map((g) => [
    String(g.number),
    g.project,
    `${ms(Math.max(0, now - g.time))} ago`,
    g.hash.slice(0, 12),
    g.commit === undefined ? '-' : `${g.commit.slice(0, 10)}${g.dirty ? '+dirty' : ''}`,
    `+${g.summary.create} ~${g.summary.change} -${g.summary.delete}${g.rollbackOf === undefined ? '' : ` (rollback to ${g.rollbackOf})`}${g.repeats === undefined ? '' : ` repeats ${g.repeats}`}`,
  ]);
  println(formatTable(['GEN', 'PROJECT', 'APPLIED', 'FILE HASH', 'COMMIT', 'PLAN'], rows));
};

/** `orch rollback [N] [--project P]`: re-apply generation N (default: the newest older one whose file differs from the running one). */
export const rollback = (number: number | undefined, opts: { output: OutputFormat; project?: string }): Promise<Outcome> =>
  withJsonError(opts.output, async () => {
    const client = await DaemonClient.connect(homePaths());
    try {
      const target = number ?? (await previousGeneration(client, opts.project));
      // The daemon refuses a generation that does not exist or belongs to another project than
      // --project; this lookup only names what is about to happen.
      const record = (await client.request('history', projectParam(opts.project))).find((g) => g.number === target);
      if (record && opts.output === 'human') {
        const repeats = record.repeats === undefined ? '' : `, which repeats ${record.repeats}`;
        println(`Rolling ${record.project} back to generation ${target}${repeats} (${record.file}):`);
      }
      const ok = await showApply(record?.project ?? opts.project ?? '', opts, (onEvent) =>
        client.request('rollback', { number: target, ...projectParam(opts.project) }, onEvent),
      );
      return ok ? 'ok' : 'failed';
    } finally {
      client.close();
    }
  });

const projectParam = (project: string | undefined): { project?: string } => (project === undefined ? {} : { project });

const previousGeneration = async (client: DaemonClient, project: string | undefined): Promise<number> => {
  const { generations } = await client.request('status', {});
  const projects = Object.keys(generations);
  const name = project ?? (projects.length === 1 ? projects[0] : undefined);
  if (name === undefined) {
    throw new OrchError('ORCH_USAGE', `say which project to roll back with --project (running: ${projects.join(', ') || 'none'})`);
  }
  const current = generations[name];
  const gens = await client.request('history', { project: name });
  const currentHash = gens.find((g) => g.number === current)?.hash;
  // The newest older generation that differs from what runs: a no-op re-apply is not a step back,
  // and a repeat entry is skipped for the full generation it repeats (older, the same file).
  const target = gens.filter((g) => (current === undefined || g.number < current) && g.hash !== currentHash && g.repeats === undefined).at(-1);
  if (!target) throw new OrchError('ORCH_USAGE', `project ${name} has no generation before ${current ?? 'the current one'}`);
  return target.number;
};
