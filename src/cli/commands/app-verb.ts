import { DaemonClient } from '../../daemon/client.js';
import { homePaths } from '../../daemon/paths.js';
import type { ActionResult, AppView } from '../../daemon/protocol.js';
import { OrchError } from '../../errors.js';
import { type AppVerb, type VerbEffect, effectWords, verbEffect, verbOperation } from '../../reconcile/verbs.js';
import type { OutputFormat } from '../output.js';
import { paint, printJson, println, useColor } from '../output.js';
import { createProgress } from '../progress.js';
import { describeResult, logsHint } from './apply.js';
import { type Outcome, outcomeOf } from '../exit-code.js';

/** What `orch <verb> <app>` prints before acting: whether it interrupts service (SPEC §9), and which verb would not. */
export const effectLabel = (verb: string, app: string, effect: VerbEffect, color: boolean): string =>
  effectWords(verb, app, effect, (s) => paint.yellow(color, s));

// A script path where an app name belongs: `orch start app.js`, as PM2 users type it.
const looksLikeScript = (name: string): boolean => name.includes('/') || /\.(c|m)?[jt]s$|\.(py|sh|rb)$/.test(name);

const unknownApp = (verb: AppVerb, name: string): OrchError =>
  new OrchError(
    'ORCH_UNKNOWN_APP',
    verb === 'start' && looksLikeScript(name)
      ? `no app named '${name}'; to run a script, declare it in an ecosystem file: orch init ${name}`
      : `no app named '${name}' (see 'orch status')`,
  );

/** The apps `names` picks, in order: `all` is every app (sorted by name), each app once. Throws for an unknown name before anything is done. */
const pickApps = (verb: AppVerb, names: readonly string[], views: readonly AppView[]): AppView[] => {
  const picked = new Map<string, AppView>();
  for (const name of names) {
    if (name === 'all') {
      for (const v of views) picked.set(v.spec.name, v);
      continue;
    }
    const view = views.find((v) => v.spec.name === name);
    if (view === undefined) throw unknownApp(verb, name);
    picked.set(name, view);
  }
  return [...picked.values()];
};

/**
 * `orch stop|start|restart|reload|delete <app>… | all`. JSON: for one named app
 * `{ "app", "type", "ok", "reason"?, "warning"?, "interrupts" }`; for several apps or `all`, an array of those.
 * Every label first (SPEC §9), then each app in turn. Exit 0, or 3 if any failed; an unknown name exits 2 before anything is done.
 */
export const appVerbs = async (verb: AppVerb, names: readonly string[], opts: { output: OutputFormat }): Promise<Outcome> => {
  const client = await DaemonClient.connect(homePaths());
  const progress = createProgress();
  const color = useColor();
  try {
    const views = pickApps(verb, names, (await client.request('actual', {})).apps);
    const effects = views.map((view) => verbEffect(verb, view));
    if (opts.output === 'human') {
      if (views.length === 0) println(`${verb} all: no apps`);
      for (const [k, view] of views.entries()) {
        const app = view.spec.name;
        if (verb === 'reload' && verbOperation(verb, view).kind === 'restart') println(`${app} shares no port (${view.spec.mode} mode): reloading it is a restart.`);
        println(effectLabel(verb, app, effects[k]!, color));
      }
    }
    const results: (ActionResult & { interrupts: boolean })[] = [];
    for (const [k, view] of views.entries()) {
      const app = view.spec.name;
      if (opts.output === 'human') progress.start(`${app}: ${verb}`);
      const result = await client.request(verb, { app }).finally(() => progress.stop());
      results.push({ ...result, interrupts: effects[k]!.interrupts });
      if (opts.output === 'human') println(describeResult(result, color));
    }
    if (opts.output === 'json') printJson(names.length === 1 && names[0] !== 'all' ? results[0] : results);
    else {
      const hint = verb === 'stop' || verb === 'delete' ? undefined : logsHint(results);
      if (hint !== undefined) println(hint);
    }
    return outcomeOf(results);
  } finally {
    client.close();
  }
};
