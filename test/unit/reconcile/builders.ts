// Small builders for plan tests: a complete AppSpec / AppView / state from only what a test cares about.
import type { AppSpec, DesiredState } from '../../../src/config/desired.js';
import { defaultApp, type SpecOverrides, withOverrides } from '../../helpers/spec.js';
import type { ActualState, AppView, InstanceStateName, InstanceView } from '../../../src/supervisor/view.js';

export const PROJECT = 'shop';

// `run: [node, app.js]` in /srv/shop, normalized once: the defaults of SPEC §3 from the normalizer.
const DEFAULT_SPEC = defaultApp({ name: 'app', project: PROJECT, run: ['node', 'app.js'], fileDir: '/srv/shop', baseEnv: { PATH: '/usr/bin', HOME: '/home/me' } });

/** A fork app with one instance and the defaults of SPEC §3; nested settings merge. */
export const spec = (over: SpecOverrides = {}): AppSpec => withOverrides(DEFAULT_SPEC, over);

export const instance = (index: number, state: InstanceStateName = 'online', port?: number): InstanceView => ({
  index,
  state,
  pid: state === 'online' ? 1000 + index : undefined,
  startedAt: state === 'online' ? 1_700_000_000_000 : undefined,
  restarts: 0,
  port,
  lastExit: undefined,
  reason: undefined,
});

/** The app as the daemon reports it: by default every instance online. */
export const view = (
  s: AppSpec,
  over: { readonly stopped?: boolean; readonly states?: readonly InstanceStateName[] } = {},
): AppView => {
  const states = over.states ?? Array.from({ length: s.instances }, (): InstanceStateName => 'online');
  const portOf = (i: number) => (s.port === undefined ? undefined : s.mode === 'fork' ? s.port + i : s.port);
  return { spec: s, stopped: over.stopped ?? false, instances: states.map((st, i) => instance(i, st, portOf(i))) };
};

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export const desired = (apps: readonly AppSpec[], project = PROJECT): DesiredState => ({
  project,
  file: `/srv/${project}/ecosystem.yaml`,
  hash: 'sha256-test',
  apps: [...apps].sort((a, b) => byName(a.name, b.name)),
});

export const actual = (apps: readonly AppView[]): ActualState => ({
  apps: [...apps].sort((a, b) => byName(a.spec.name, b.spec.name)),
});
