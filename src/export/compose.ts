// `orch export compose` (SPEC §13): one Compose file, one service per app with its replicas,
// a healthcheck from `ready`, `depends_on` conditions, stop signal and grace period. Pure.
import type { AppSpec } from '../config/desired.js';
import { protocolOf } from '../config/modes.js';
import { isNodeCommand } from '../config/run-command.js';
import { type AppFidelity, approximated, dropped, type FidelityRow, mapped, rowsOf } from './fidelity.js';
import { durationText, type ExportInput, type ExportResult, imageOf, imageSource, plural, READY_SIGNAL, splitEnv } from './input.js';
import { stableYaml } from './yaml-text.js';
import { portSuffix } from '../ports.js';

export const COMPOSE_FILE = 'compose.yaml';

type Probe = { readonly kind: 'http' | 'tcp'; readonly test: readonly string[]; readonly tool: string } | undefined;

// A Node app's image has node; anything else is assumed to have busybox-like nc and wget.
const probeOf = (spec: AppSpec): Probe => {
  const p = spec.port;
  if (p === undefined || spec.ready.type === 'none') return undefined;
  const node = isNodeCommand(spec.command) || spec.mode === 'cluster';
  if (spec.ready.type === 'http') {
    const url = `http://127.0.0.1:${p}${spec.ready.path}`;
    return node
      ? {
          kind: 'http',
          tool: 'node',
          test: ['CMD', 'node', '-e', `require('http').get(${JSON.stringify(url)},r=>process.exit(r.statusCode>=200&&r.statusCode<300?0:1)).on('error',()=>process.exit(1))`],
        }
      : { kind: 'http', tool: 'wget', test: ['CMD', 'wget', '-q', '-O', '/dev/null', url] };
  }
  return node
    ? {
        kind: 'tcp',
        tool: 'node',
        test: ['CMD', 'node', '-e', `require('net').connect(${p},'127.0.0.1',()=>process.exit(0)).on('error',()=>process.exit(1))`],
      }
    : { kind: 'tcp', tool: 'nc', test: ['CMD', 'nc', '-z', '127.0.0.1', String(p)] };
};

/** Host ports: one per replica in fork mode (Docker hands each replica one of the range). */
const portsOf = (spec: AppSpec): string[] => {
  const p = spec.port;
  if (p === undefined) return [];
  const proto = portSuffix(protocolOf(spec));
  return spec.instances > 1 ? [`${p}-${p + spec.instances - 1}:${p}${proto}`] : [`${p}:${p}${proto}`];
};

const serviceOf = (spec: AppSpec, input: ExportInput, byName: ReadonlyMap<string, AppSpec>): Record<string, unknown> => {
  const env = splitEnv(spec, input.envFiles.get(spec.name));
  const probe = probeOf(spec);
  const r = spec.restart;
  const deps = [...spec.dependsOn].sort();
  return {
    image: imageOf(spec, 'compose', input.image),
    entrypoint: [...spec.command],
    working_dir: spec.cwd,
    // The app's directory from this machine, so a stock runtime image can run it.
    volumes: [`${spec.cwd}:${spec.cwd}`],
    environment: {
      ...env.declared,
      ORCH_APP: spec.name,
      ORCH_PROJECT: spec.project,
      ...(spec.port === undefined ? {} : { PORT: String(spec.port) }),
    },
    ...(spec.envFile === undefined ? {} : { env_file: [spec.envFile] }),
    ...(portsOf(spec).length === 0 ? {} : { ports: portsOf(spec) }),
    restart: r.policy === 'never' ? 'no' : r.policy === 'on-failure' ? 'on-failure' : 'always',
    stop_signal: spec.shutdown.signal,
    stop_grace_period: durationText(spec.shutdown.timeoutMs),
    deploy: {
      replicas: spec.instances,
      ...(spec.maxMemoryBytes === undefined ? {} : { resources: { limits: { memory: String(spec.maxMemoryBytes) } } }),
    },
    ...(probe === undefined
      ? {}
      : {
          healthcheck: {
            test: [...probe.test],
            interval: '1s',
            timeout: '1s',
            retries: 3,
            start_period: durationText(spec.ready.timeoutMs),
          },
        }),
    ...(deps.length === 0
      ? {}
      : {
          depends_on: Object.fromEntries(
            deps.map((d) => [d, { condition: probeOf(byName.get(d)!) === undefined ? 'service_started' : 'service_healthy' }]),
          ),
        }),
  };
};

// WARNING: Compose interpolates `$VAR` in every string of the file: `$$` is a literal `$`,
// as orch passes `$` through (its own `${VAR}` was filled in at load).
const literalDollars = (v: unknown): unknown =>
  typeof v === 'string'
    ? v.replaceAll('$', '$$$$')
    : Array.isArray(v)
      ? v.map(literalDollars)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, literalDollars(x)]))
        : v;

export const exportCompose = (input: ExportInput): ExportResult => {
  const byName = new Map(input.apps.map((a) => [a.name, a] as const));
  // No top-level `name`: docker-compose 1.x (Debian 12's) refuses it; `-p <project>` sets it.
  const doc = {
    services: Object.fromEntries(input.apps.map((a) => [a.name, serviceOf(a, input, byName)])),
  };
  const text = stableYaml(literalDollars(doc));
  return {
    files: [{ path: COMPOSE_FILE, text }],
    stream: text,
    fidelity: input.apps.flatMap((spec) => composeFidelity(spec, input, byName)),
  };
};

const composeFidelity = (spec: AppSpec, input: ExportInput, byName: ReadonlyMap<string, AppSpec>): FidelityRow[] => {
  const env = splitEnv(spec, input.envFiles.get(spec.name));
  const probe = probeOf(spec);
  const r = spec.restart;
  const p = spec.port;
  const t = spec.ready.type;
  const deps = [...spec.dependsOn].sort();
  const rows: AppFidelity = {
    run: mapped('entrypoint', "replaces the image's ENTRYPOINT"),
    shell: spec.shell ? approximated('entrypoint: /bin/sh -c', 'the image needs /bin/sh') : mapped('-', 'no shell: argv as it is'),
    cwd: approximated('working_dir, volumes', `${spec.cwd} is bind-mounted at the same path, so the image needs only the runtime`),
    instances: mapped('deploy.replicas', `${spec.instances}; ORCH_INSTANCE is not set: replicas have no index`),
    mode:
      spec.mode === 'fork'
        ? mapped('one container per replica')
        : spec.mode === 'cluster'
          ? approximated('one container per replica', "each replica runs the script once, without Node's cluster primary")
          : approximated('one container per replica', 'LISTEN_FDS is not handed over: the app must listen on $PORT itself'),
    port:
      p === undefined
        ? mapped('-', 'no port')
        : spec.instances <= 1
          ? mapped(`ports ${p}:${p}`, `PORT=${p}`)
          : spec.mode === 'fork'
            ? approximated(`ports ${portsOf(spec)[0]}`, `host ports ${p}..${p + spec.instances - 1} as orch's port+i, but Docker picks which replica gets which; PORT=${p} inside every container`)
            : approximated(`ports ${portsOf(spec)[0]}`, `one host port per replica: nothing balances port ${p} as orch's shared socket does`),
    env:
      Object.keys(env.declared).length === 0
        ? mapped('-', 'none declared')
        : mapped('environment', `${plural(Object.keys(env.declared).length, 'variable')}; it wins over env_file, as in orch`),
    env_file: spec.envFile === undefined ? mapped('-', 'none') : mapped('env_file', `${spec.envFile}: values not copied`),
    inherit_env: dropped("containers get the image's environment, not the caller's: add them to environment"),
    'restart.policy': mapped(`restart: ${r.policy === 'never' ? 'no' : r.policy}`),
    'restart.backoff': approximated('-', "Docker's own restart delay (100ms, doubling, at most 1m)"),
    'restart.max_restarts': dropped('Docker restarts without a limit under restart:'),
    'restart.window': dropped('no crash limit to count in a window'),
    'restart.min_uptime': approximated('-', "Docker resets its delay after a run of 10s"),
    'shutdown.signal': mapped(`stop_signal: ${spec.shutdown.signal}`),
    'shutdown.timeout': mapped(`stop_grace_period: ${durationText(spec.shutdown.timeoutMs)}`, 'then SIGKILL'),
    'ready.type':
      probe === undefined
        ? t === 'none'
          ? mapped('-', 'no healthcheck: started once running')
          : dropped(`'${t}' cannot be checked from a healthcheck and the app has no port`)
        : t === 'http' || t === 'tcp'
          ? mapped(`healthcheck (${probe.kind})`, `with ${probe.tool} in the image`)
          : approximated(`healthcheck (${probe.kind})`, `${READY_SIGNAL[t]} becomes a tcp check of port ${p}, with ${probe.tool} in the image`),
    'ready.path': t === 'http' && probe !== undefined ? mapped('healthcheck URL', spec.ready.path) : mapped('-', 'not used by this ready type'),
    'ready.timeout': probe === undefined ? mapped('-', 'no healthcheck') : approximated('healthcheck.start_period', 'failed checks do not count during it; a container stays unhealthy after it rather than restarted'),
    'ready.delay': t === 'none' && spec.ready.delayMs > 0 ? dropped('Compose has no minimum run time before a service counts as started') : mapped('-', 'not used by this ready type'),
    'reload.max_surge': dropped("'docker compose up' replaces containers without a rolling update (deploy.update_config is Swarm's)"),
    'reload.max_unavailable': dropped("'docker compose up' replaces containers without a rolling update (deploy.update_config is Swarm's)"),
    watch: spec.watch === undefined ? mapped('-', 'off') : dropped("dev mode: 'docker compose watch' (develop.watch) is the equivalent, not written"),
    depends_on:
      deps.length === 0
        ? mapped('-', 'none')
        : mapped(
            'depends_on',
            deps.map((d) => `${d}: ${probeOf(byName.get(d)!) === undefined ? 'service_started (it has no healthcheck)' : 'service_healthy'}`).join(', '),
          ),
    max_memory: spec.maxMemoryBytes === undefined ? mapped('-', 'no limit') : approximated('deploy.resources.limits.memory', 'the kernel OOM-kills at the limit where orch restarts above it'),
    protocol: spec.port === undefined ? mapped('-', 'no port') : mapped(`ports ${protocolOf(spec)}`, protocolOf(spec) === 'udp' ? 'published as /udp' : 'TCP, the default'),
    role:
      spec.role === 'agent'
        ? approximated('depends_on of the other services', "an agent is a dependency of every other app of its project (written there); orch's message bus has no Compose equivalent")
        : mapped('-', 'no role'),
    export: mapped(`image ${imageOf(spec, 'compose', input.image)}`, `from ${imageSource(spec, 'compose')}${spec.export?.kubernetes === undefined ? '' : '; export.kubernetes.namespace and labels are for Kubernetes only'}`),
  };
  return rowsOf(spec.name, rows);
};
