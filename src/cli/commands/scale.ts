import { DaemonClient } from '../../daemon/client.js';
import { homePaths } from '../../daemon/paths.js';
import { OrchError } from '../../errors.js';
import { scaleEffect } from '../../reconcile/verbs.js';
import type { OutputFormat } from '../output.js';
import { printJson, println, useColor } from '../output.js';
import { createProgress } from '../progress.js';
import { describeResult, logsHint } from './apply.js';
import { effectLabel } from './app-verb.js';
import { type Outcome, outcomeOf } from '../exit-code.js';

/**
 * `orch scale <app> N`: imperative; the file keeps its count, so the next diff plans the scale
 * back. JSON: `{ "app", "type": "scale", "ok", "reason"?, "interrupts" }`. Exit 0, or 3 if it failed.
 */
export const scale = async (app: string, instances: number, opts: { output: OutputFormat }): Promise<Outcome> => {
  const client = await DaemonClient.connect(homePaths());
  const progress = createProgress();
  const color = useColor();
  try {
    const view = (await client.request('actual', {})).apps.find((a) => a.spec.name === app);
    if (view === undefined) throw new OrchError('ORCH_UNKNOWN_APP', `no app named '${app}' (see 'orch status')`);
    const effect = scaleEffect(view, instances);
    if (opts.output === 'human') {
      println(effectLabel('scale', `${app} ${view.spec.instances} → ${instances}`, effect, color));
      progress.start(`${app}: scale to ${instances}`);
    }
    const result = await client.request('scale', { app, instances }).finally(() => progress.stop());
    if (opts.output === 'json') printJson({ ...result, interrupts: effect.interrupts });
    else {
      println(describeResult(result, color));
      if (result.ok) println(`Imperative: the file's count comes back with the next orch apply (orch diff shows it).`);
      const hint = logsHint([result]);
      if (hint !== undefined) println(hint);
    }
    return outcomeOf([result]);
  } finally {
    client.close();
  }
};
