// Small builders for plan tests: a complete AppSpec / AppView / state from only what a test cares about.
import type { AppSpec, DesiredState } from '../../../src/config/desired.js';
import type { ActualState, AppView, InstanceStateName, InstanceView } from '../../../src/supervisor/view.js';

export const PROJECT = 'shop';

type SpecOverrides = Partial<Omit<AppSpec, 'restart' | 'shutdown' | 'ready' | 'reload'>> & {
  readonly restart?: Partial<AppSpec['restart']>;
  readonly shutdown?: Partial<AppSpec['shutdown']>;
  readonly ready?: Partial<AppSpec['ready']>;
  readonly reload?: Partial<AppSpec['reload']>;
};

/** A fork app with one instance and the defaults of SPEC §3; nested settings merge. */
export const spec = (over: SpecOverrides = {}): AppSpec => {
  const { restart, shutdown, ready, reload, ...rest } = over;
  return {
    name: 'app',
    project: PROJECT,
    command: ['node', 'app.js'],
    shell: false,
    cwd: '/srv/shop',
    instances: 1,
    mode: 'fork',
    port: undefined,
    env: {},
    baseEnv: { PATH: '/usr/bin', HOME: '/home/me' },
    envFile: undefined,
    watch: undefined,
    dependsOn: [],
    maxMemoryBytes: undefined,
    ...rest,
    restart: {
      policy: 'always',
      backoff: { initialMs: 100, maxMs: 30_000, factor: 2 },
      maxRestarts: 10,
      windowMs: 60_000,
      minUptimeMs: 1_000,
      ...restart,
    },
    shutdown: { signal: 'SIGTERM', timeoutMs: 5_000, ...shutdown },
    ready: { type: 'none', path: '/', timeoutMs: 30_000, delayMs: 1_000, ...ready },
    reload: { maxSurge: 1, maxUnavailable: 0, ...reload },
  };
};

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
