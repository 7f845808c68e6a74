import { DaemonClient } from '../../daemon/client.js';
import { homePaths } from '../../daemon/paths.js';
import type { ActionResult, ApplyReport, ProgressEvent } from '../../daemon/protocol.js';
import { planToJson, renderPlan } from '../../reconcile/render.js';
import { gitSource } from '../git-source.js';
import { loadOrFail } from '../load-file.js';
import type { OutputFormat } from '../output.js';
import { paint, printJson, println, useColor } from '../output.js';
import { createProgress } from '../progress.js';
import { type Outcome } from '../exit-code.js';

/**
 * `orch apply --output json` shape: `{ "ok": boolean, "generation": number, "plan": <diff's JSON>,
 * "results": [{ "app", "type", "ok", "reason"? }] }`. Exit 0 converged, 2 invalid (nothing changed), 3 failed.
 */
export const apply = async (file: string, opts: { output: OutputFormat }): Promise<Outcome> => {
  const desired = await loadOrFail(file);
  const [client, source] = await Promise.all([DaemonClient.connect(homePaths()), gitSource(file)]);
  try {
    const ok = await showApply(desired.project, opts, (onEvent) => client.request('apply', { desired, source }, onEvent));
    return ok ? 'ok' : 'failed';
  } finally {
    client.close();
  }
};

/** Prints the plan as soon as the daemon has made it, each action as it finishes, then the outcome; returns whether it converged. */
export const showApply = async (
  project: string,
  opts: { output: OutputFormat },
  run: (onEvent: (e: ProgressEvent) => void) => Promise<ApplyReport>,
): Promise<boolean> => {
  const color = useColor();
  const human = opts.output === 'human';
  const started = Date.now();
  const progress = createProgress();
  let report: ApplyReport;
  try {
    report = await run((e) => {
      if (!human) return;
      if (e.type === 'plan') progress.print(renderPlan(e.plan, { color }).replace(/\n$/, ''));
      else if (e.type === 'action-start') progress.start(`${e.app}: ${e.action}`);
      else {
        progress.done(`${e.result.app}: ${e.result.type}`);
        progress.print(describeResult(e.result, color));
      }
    });
  } finally {
    progress.stop();
  }
  const ok = report.results.every((r) => r.ok);
  if (!human) {
    printJson({ ok, generation: report.generation, plan: planToJson(report.plan), results: report.results });
  } else if (report.plan.actions.length > 0) {
    const failed = report.results.filter((r) => !r.ok).length;
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    println(
      ok
        ? paint.green(color, `Applied ${project} (generation ${report.generation}): converged in ${seconds}s.`)
        : paint.red(color, `Apply of ${project} failed: ${failed} of ${report.results.length} actions did not converge.`),
    );
    const hint = logsHint(report.results);
    if (hint !== undefined) println(hint);
  }
  return ok;
};

/** Where to look next: what the failed apps printed (an app skipped for its dependency printed nothing). */
export const logsHint = (results: readonly ActionResult[]): string | undefined => {
  const apps = results.filter((r) => r.status === 'failed').map((r) => r.app);
  return apps.length === 0 ? undefined : `See ${apps.length === 1 ? 'its' : 'their'} output: ${apps.map((a) => `orch logs ${a}`).join(', ')}`;
};

export const describeResult = (r: ActionResult, color: boolean): string =>
  (r.ok ? `${paint.green(color, '✓')} ${r.app}: ${r.type} done` : `${paint.red(color, '✗')} ${r.app}: ${r.type} failed: ${r.reason ?? 'unknown reason'}`) +
  (r.warning === undefined ? '' : `\n  ${paint.yellow(color, 'warning:')} ${r.warning}`);
