import { DaemonClient } from '../../daemon/client.js';
import { homePaths } from '../../daemon/paths.js';
import { planActions } from '../../reconcile/plan.js';
import { planToJson, renderPlan } from '../../reconcile/render.js';
import type { ActualState } from '../../reconcile/types.js';
import { loadOrFail } from '../load-file.js';
import type { OutputFormat } from '../output.js';
import { printJson, println, useColor } from '../output.js';

// diff never starts a daemon or changes anything: with no daemon running nothing runs, so the
// plan is "create everything". That makes it safe as a pull-request check on any machine.
export const diff = async (file: string, opts: { output: OutputFormat }): Promise<void> => {
  const desired = await loadOrFail(file);
  const client = await DaemonClient.tryConnect(homePaths());
  let actual: ActualState = { apps: [] };
  if (client) {
    try {
      actual = await client.request('actual', {});
    } finally {
      client.close();
    }
  }
  const plan = planActions(desired, actual);
  if (opts.output === 'json') printJson({ ...planToJson(plan), daemon: client !== undefined });
  else process.stdout.write(ensureNewline(renderPlan(plan, { color: useColor() })));
  if (!client && opts.output === 'human') println('(no daemon is running in ORCH_HOME: nothing runs yet)');
  process.exitCode = plan.actions.length === 0 ? 0 : 1;
};

const ensureNewline = (s: string): string => (s.endsWith('\n') ? s : `${s}\n`);
