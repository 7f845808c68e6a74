import { DaemonClient } from '../../daemon/client.js';
import { homePaths } from '../../daemon/paths.js';
import { OrchError } from '../../errors.js';
import { gatherHostFacts } from '../../reconcile/facts.js';
import { planActions } from '../../reconcile/plan.js';
import { nameTakenMessage } from '../../reconcile/preflight.js';
import { planToJson, renderPlan } from '../../reconcile/render.js';
import type { ActualState } from '../../daemon/protocol.js';
import { loadOrFail } from '../load-file.js';
import type { OutputFormat } from '../output.js';
import { printJson, println, useColor } from '../output.js';
import { type Outcome } from '../exit-code.js';

// diff never starts a daemon or changes anything: with no daemon running nothing runs, so the
// plan is "create everything". That makes it safe as a pull-request check on any machine.
// It reads the same host facts apply's pre-flight reads (ports held, missing paths), so a refusal
// apply would make is shown here first, with the same words, and exits 2 (SPEC §9).
export const diff = async (file: string, opts: { output: OutputFormat }): Promise<Outcome> => {
  const desired = await loadOrFail(file);
  const client = await DaemonClient.tryConnect(homePaths());
  let actual: ActualState = { apps: [] };
  let daemonPid: number | undefined;
  if (client) {
    try {
      [actual, { pid: daemonPid }] = await Promise.all([client.request('actual', {}), client.request('hello', {})]);
    } finally {
      client.close();
    }
  }
  const plan = planActions(desired, actual, gatherHostFacts(desired, actual, daemonPid));
  if (opts.output === 'json') printJson({ ...planToJson(plan), daemon: client !== undefined });
  else process.stdout.write(ensureNewline(renderPlan(plan, { color: useColor() })));
  if (!client && opts.output === 'human') println('(no daemon is running in ORCH_HOME: nothing runs yet)');
  // The very error apply would end with: a refused file as apply's own, a refused action by its reason.
  const taken = nameTakenMessage(desired.file, plan.refusals);
  if (taken !== undefined) throw new OrchError('ORCH_CONFIG_INVALID', taken);
  if (plan.refusals.length > 0) {
    throw new OrchError('ORCH_PLAN_REFUSED', plan.refusals.map((r) => `${r.app}: ${r.message}`).join('\n'));
  }
  return plan.actions.length === 0 ? 'ok' : 'changes';
};

const ensureNewline = (s: string): string => (s.endsWith('\n') ? s : `${s}\n`);
