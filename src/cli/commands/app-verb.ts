import { sharesPort } from '../../config/modes.js';
import { DaemonClient } from '../../daemon/client.js';
import { homePaths } from '../../daemon/paths.js';
import { OrchError } from '../../errors.js';
import { type AppVerb, verbEffect } from '../../reconcile/verbs.js';
import type { OutputFormat } from '../output.js';
import { paint, printJson, println, useColor } from '../output.js';
import { createProgress } from '../progress.js';
import { describeResult, logsHint } from './apply.js';

/**
 * `orch stop|start|restart|reload|delete <app>`; JSON: `{ "app", "type", "ok", "reason"?, "interrupts" }`.
 * Says before acting whether it interrupts service (SPEC §9), and which verb would not. Exit 0, or 3 if it failed.
 */
export const appVerb = async (verb: AppVerb, app: string, opts: { output: OutputFormat }): Promise<void> => {
  const client = await DaemonClient.connect(homePaths());
  const progress = createProgress();
  const color = useColor();
  try {
    const view = (await client.request('actual', {})).apps.find((a) => a.spec.name === app);
    if (view === undefined) throw new OrchError('ORCH_UNKNOWN_APP', `no app named '${app}' (see 'orch status')`);
    const effect = verbEffect(verb, view);
    if (opts.output === 'human') {
      if (verb === 'reload' && !sharesPort(view.spec)) println(`${app} shares no port (${view.spec.mode} mode): reloading it is a restart.`);
      const label = effect.interrupts ? paint.yellow(color, 'interrupts service') : 'no interruption';
      const instead = effect.instead === undefined ? '' : ` (for no interruption: orch ${effect.instead} ${app})`;
      println(`${verb} ${app}: ${label}${instead}`);
      progress.start(`${app}: ${verb}`);
    }
    const result = await client.request(verb, { app }).finally(() => progress.stop());
    if (opts.output === 'json') printJson({ ...result, interrupts: effect.interrupts });
    else {
      println(describeResult(result, color));
      const hint = verb === 'stop' || verb === 'delete' ? undefined : logsHint([result]);
      if (hint !== undefined) println(hint);
    }
    process.exitCode = result.ok ? 0 : 3;
  } finally {
    client.close();
  }
};
