// The page's confirmations say exactly what `orch <verb> <app>` prints before acting (SPEC §9).
import { describe, expect, it } from 'vitest';
import { effectLabel } from '../../../src/cli/commands/app-verb.js';
import { actionsOf } from '../../../src/daemon/dashboard/labels.js';
import { DASHBOARD_VERBS } from '../../../src/daemon/dashboard/wire.js';
import { verbEffect } from '../../../src/reconcile/verbs.js';
import type { AppView, InstanceView } from '../../../src/supervisor/view.js';
import { defaultApp, withOverrides } from '../../helpers/spec.js';

const online = (index: number): InstanceView => ({ index, state: 'online', pid: 100 + index, startedAt: 0, restarts: 0, port: undefined, lastExit: undefined, reason: undefined });
const viewOf = (mode: 'fork' | 'cluster' | 'socket', instances: number, port?: number): AppView => ({
  spec: withOverrides(defaultApp({ name: 'web', project: 'shop', run: ['node', 'app.js'], fileDir: '/srv' }), { mode, instances, ...(port === undefined ? {} : { port }) }),
  stopped: false,
  instances: Array.from({ length: instances }, (_, i) => online(i)),
});

describe('the dashboard action labels', () => {
  const views: [string, AppView][] = [
    ['fork, one instance', viewOf('fork', 1)],
    ['fork with a port', viewOf('fork', 2, 3000)],
    ['cluster, two instances', viewOf('cluster', 2, 3000)],
    ['cluster, one instance', viewOf('cluster', 1, 3000)],
    ['socket, two instances', viewOf('socket', 2, 3000)],
  ];
  for (const [what, view] of views) {
    it.each(DASHBOARD_VERBS)(`${what}: %s says the CLI's words`, (verb) => {
      const effect = verbEffect(verb, view);
      const action = actionsOf(view)[verb];
      expect(action.label).toBe(effectLabel(verb, 'web', effect, false));
      expect(action.interrupts).toBe(effect.interrupts);
    });
  }

  it('a cluster restart points at the reload that would not interrupt', () => {
    expect(actionsOf(viewOf('cluster', 2, 3000)).restart.label).toBe('restart web: interrupts service (for no interruption: orch reload web)');
    expect(actionsOf(viewOf('cluster', 2, 3000)).reload.label).toBe('reload web: no interruption');
  });
});
