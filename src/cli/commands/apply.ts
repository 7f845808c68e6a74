import { DaemonClient } from '../../daemon/client.js';
import { homePaths } from '../../daemon/paths.js';
import type { ActionResult } from '../../daemon/protocol.js';
import { planToJson, renderPlan } from '../../reconcile/render.js';
import { loadOrFail } from '../load-file.js';
import type { OutputFormat } from '../output.js';
import { paint, printJson, println, useColor } from '../output.js';

/**
 * `orch apply --output json` shape: `{ "ok": boolean, "plan": <diff's JSON>, "results":
 * [{ "app", "type", "ok", "reason"? }] }`. Exit 0 converged, 2 invalid (nothing changed), 3 failed.
 */
export const apply = async (file: string, opts: { output: OutputFormat }): Promise<void> => {
  const desired = await loadOrFail(file);
  const client = await DaemonClient.connect(homePaths());
  const color = useColor();
  const human = opts.output === 'human';
  const started = Date.now();
  try {
    const report = await client.request('apply', { desired }, (e) => {
      if (!human) return;
      if (e.type === 'plan') process.stdout.write(withNewline(renderPlan(e.plan, { color })));
      else if (e.type === 'action-done') println(describeResult(e.result, color));
    });
    const ok = report.results.every((r) => r.ok);
    if (human) {
      const failed = report.results.filter((r) => !r.ok).length;
      if (report.plan.actions.length > 0) {
        println(
          ok
            ? paint.green(color, `Applied ${desired.project}: converged in ${((Date.now() - started) / 1000).toFixed(1)}s.`)
            : paint.red(color, `Apply of ${desired.project} failed: ${failed} of ${report.results.length} actions did not converge.`),
        );
      }
    } else {
      printJson({ ok, plan: planToJson(report.plan), results: report.results });
    }
    process.exitCode = ok ? 0 : 3;
  } finally {
    client.close();
  }
};

export const describeResult = (r: ActionResult, color: boolean): string =>
  r.ok ? `${paint.green(color, '✓')} ${r.app}: ${r.type} done` : `${paint.red(color, '✗')} ${r.app}: ${r.type} failed: ${r.reason ?? 'unknown reason'}`;

const withNewline = (s: string): string => (s.endsWith('\n') ? s : `${s}\n`);
