// `orch export kubernetes` (SPEC §13): per app a Deployment, a Service when it has a port, a
// ConfigMap for `env` and a Secret for the env_file's values. Pure: specs in, manifests and the
// fidelity rows out. Objects use only fields of the Kubernetes API (checked in the tests against
// kubernetes-models and @kubernetes/client-node's field tables).
import type { AppSpec } from '../config/desired.js';
import { protocolOf } from '../config/modes.js';
import { type AppFidelity, approximated, dropped, type FidelityRow, mapped, rowsOf } from './fidelity.js';
import {
  bareSignal,
  type ExportInput,
  type ExportResult,
  imageOf,
  imageSource,
  plural,
  READY_SIGNAL,
  secondsCeil,
  splitEnv,
} from './input.js';
import { stableYaml, yamlStream } from './yaml-text.js';
import { formatBytes } from '../units.js';

const k8sProtocol = (spec: AppSpec): 'TCP' | 'UDP' => (protocolOf(spec) === 'udp' ? 'UDP' : 'TCP');

type Obj = Record<string, unknown>;

/** The image of the init containers that wait for a dependency's Service. */
export const WAIT_IMAGE = 'busybox:1.36';
const PORT_NAME = 'app';

/** An app name as a DNS-1035 label (Service names): '.' and '_' become '-', a leading digit gets 'app-'. */
export const kubeName = (app: string): string => {
  const dashed = app.replace(/[._]/g, '-').replace(/-+$/, '');
  return (/^[a-z]/.test(dashed) ? dashed : `app-${dashed}`).slice(0, 63).replace(/-+$/, '');
};

const selectorOf = (spec: AppSpec): Record<string, string> => ({
  'app.kubernetes.io/name': kubeName(spec.name),
  'app.kubernetes.io/part-of': spec.project,
});

const labelsOf = (spec: AppSpec): Record<string, string> => ({
  ...(spec.export?.kubernetes?.labels ?? {}),
  ...selectorOf(spec),
  'app.kubernetes.io/managed-by': 'orch',
});

const metadataOf = (spec: AppSpec, name: string): Obj => ({
  name,
  ...(spec.export?.kubernetes?.namespace === undefined ? {} : { namespace: spec.export.kubernetes.namespace }),
  labels: labelsOf(spec),
});

/** A Kubernetes quantity for a byte count: Gi/Mi/Ki when exact, else plain bytes. */
const memoryQuantity = (bytes: number): string => {
  const text = formatBytes(bytes);
  return /[KMG]$/.test(text) ? `${text}i` : text;
};

type Check = { readonly kind: 'http' | 'tcp'; readonly obj: Obj } | undefined;

/** The probe's check for the app's ready type, or none where Kubernetes has nothing to look at. */
const checkOf = (spec: AppSpec): Check => {
  if (spec.port === undefined) return undefined;
  if (spec.ready.type === 'http') return { kind: 'http', obj: { httpGet: { path: spec.ready.path, port: PORT_NAME } } };
  if (spec.ready.type === 'none') return undefined;
  return { kind: 'tcp', obj: { tcpSocket: { port: PORT_NAME } } };
};

const containerOf = (spec: AppSpec, input: ExportInput): Obj => {
  const name = kubeName(spec.name);
  const env = splitEnv(spec, input.envFiles.get(spec.name));
  const check = checkOf(spec);
  const signal = spec.shutdown.signal;
  const [command, ...args] = spec.command;
  return {
    name,
    image: imageOf(spec, 'kubernetes', input.image),
    command: [command],
    ...(args.length === 0 ? {} : { args }),
    workingDir: spec.cwd,
    env: [
      { name: 'ORCH_APP', value: spec.name },
      { name: 'ORCH_PROJECT', value: spec.project },
      ...(spec.port === undefined ? [] : [{ name: 'PORT', value: String(spec.port) }]),
    ],
    // Later sources win: the ConfigMap (`env`) over the Secret (env_file), as `env` wins in orch.
    ...(Object.keys(env.declared).length + env.fromFile.length === 0
      ? {}
      : {
          envFrom: [
            ...(env.fromFile.length === 0 ? [] : [{ secretRef: { name: `${name}-env-file` } }]),
            ...(Object.keys(env.declared).length === 0 ? [] : [{ configMapRef: { name: `${name}-env` } }]),
          ],
        }),
    ...(spec.port === undefined ? {} : { ports: [{ name: PORT_NAME, containerPort: spec.port, protocol: k8sProtocol(spec) }] }),
    ...(check === undefined
      ? {}
      : {
          readinessProbe: { ...check.obj, periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 3, successThreshold: 1 },
          startupProbe: { ...check.obj, periodSeconds: 1, timeoutSeconds: 1, failureThreshold: Math.max(1, secondsCeil(spec.ready.timeoutMs)) },
        }),
    ...(spec.maxMemoryBytes === undefined ? {} : { resources: { limits: { memory: memoryQuantity(spec.maxMemoryBytes) } } }),
    ...(signal === 'SIGTERM' || signal === 'SIGKILL'
      ? {}
      : {
          lifecycle: {
            preStop: {
              exec: { command: ['/bin/sh', '-c', `kill -s ${bareSignal(signal)} 1; while kill -0 1 2>/dev/null; do sleep 1; done`] },
            },
          },
        }),
  };
};

const initContainersOf = (spec: AppSpec, byName: ReadonlyMap<string, AppSpec>): Obj[] =>
  [...spec.dependsOn]
    .sort()
    .flatMap((dep) => {
      const d = byName.get(dep);
      if (d?.port === undefined) return [];
      const host = serviceHost(d, spec);
      return [
        {
          name: `wait-for-${kubeName(dep)}`.slice(0, 63),
          image: WAIT_IMAGE,
          command: ['sh', '-c', `until nc -z ${host} ${d.port}; do echo waiting for ${host}:${d.port}; sleep 1; done`],
        },
      ];
    });

/** The dependency's Service as the dependent's pods reach it: `name` or `name.namespace`. */
const serviceHost = (dep: AppSpec, from: AppSpec): string => {
  const ns = dep.export?.kubernetes?.namespace;
  return ns === undefined || ns === from.export?.kubernetes?.namespace ? kubeName(dep.name) : `${kubeName(dep.name)}.${ns}`;
};

const deploymentOf = (spec: AppSpec, input: ExportInput, byName: ReadonlyMap<string, AppSpec>): Obj => {
  const container = containerOf(spec, input);
  const init = initContainersOf(spec, byName);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadataOf(spec, kubeName(spec.name)),
    spec: {
      replicas: spec.instances,
      selector: { matchLabels: selectorOf(spec) },
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: spec.reload.maxSurge, maxUnavailable: spec.reload.maxUnavailable },
      },
      ...(spec.ready.type === 'none' && spec.ready.delayMs > 0 ? { minReadySeconds: secondsCeil(spec.ready.delayMs) } : {}),
      template: {
        metadata: { labels: labelsOf(spec) },
        spec: {
          containers: [container],
          ...(init.length === 0 ? {} : { initContainers: init }),
          restartPolicy: 'Always',
          terminationGracePeriodSeconds: spec.shutdown.signal === 'SIGKILL' ? 0 : secondsCeil(spec.shutdown.timeoutMs),
        },
      },
    },
  };
};

const serviceOf = (spec: AppSpec): Obj | undefined =>
  spec.port === undefined
    ? undefined
    : {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: metadataOf(spec, kubeName(spec.name)),
        spec: {
          type: 'ClusterIP',
          selector: selectorOf(spec),
          ports: [{ name: PORT_NAME, port: spec.port, targetPort: PORT_NAME, protocol: k8sProtocol(spec) }],
        },
      };

const envObjectsOf = (spec: AppSpec, input: ExportInput): Obj[] => {
  const name = kubeName(spec.name);
  const fileVars = input.envFiles.get(spec.name) ?? {};
  const env = splitEnv(spec, fileVars);
  const out: Obj[] = [];
  if (Object.keys(env.declared).length > 0) {
    out.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: metadataOf(spec, `${name}-env`), data: env.declared });
  }
  if (env.fromFile.length > 0) {
    // WARNING: base64 `data`, never `stringData`, and never echoed elsewhere (fidelity rows name keys only).
    const data = Object.fromEntries(env.fromFile.map((k) => [k, Buffer.from(fileVars[k]!, 'utf8').toString('base64')]));
    out.push({ apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: metadataOf(spec, `${name}-env-file`), data });
  }
  return out;
};

export const exportKubernetes = (input: ExportInput): ExportResult => {
  const byName = new Map(input.apps.map((a) => [a.name, a] as const));
  const perApp = input.apps.map((spec) => {
    const docs = [...envObjectsOf(spec, input), deploymentOf(spec, input, byName), ...[serviceOf(spec)].filter((s) => s !== undefined)];
    return { spec, docs };
  });
  const files = perApp.map(({ spec, docs }) => ({ path: `${kubeName(spec.name)}.yaml`, text: yamlStream(docs) }));
  const kustomization = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: files.map((f) => f.path).sort(),
  };
  return {
    files: [...files, { path: 'kustomization.yaml', text: stableYaml(kustomization) }],
    stream: yamlStream(perApp.flatMap((p) => p.docs)),
    fidelity: input.apps.flatMap((spec) => kubernetesFidelity(spec, input, byName)),
  };
};

const kubernetesFidelity = (spec: AppSpec, input: ExportInput, byName: ReadonlyMap<string, AppSpec>): FidelityRow[] => {
  const name = kubeName(spec.name);
  const env = splitEnv(spec, input.envFiles.get(spec.name));
  const check = checkOf(spec);
  const p = spec.port;
  const shared = spec.mode !== 'fork';
  const r = spec.restart;
  const deps = [...spec.dependsOn].sort();
  const waitable = deps.filter((d) => byName.get(d)?.port !== undefined);
  const unwaitable = deps.filter((d) => byName.get(d)?.port === undefined);
  const rows: AppFidelity = {
    run: mapped('container command, args', spec.shell ? '' : "the image's ENTRYPOINT is replaced by the command"),
    shell: spec.shell ? approximated('command: /bin/sh -c', 'the image needs /bin/sh') : mapped('-', 'no shell: argv as it is'),
    cwd: approximated('container workingDir', `the image must hold the app at ${spec.cwd}`),
    instances: mapped(`Deployment ${name} spec.replicas`, `${spec.instances}; ORCH_INSTANCE is not set: a Deployment's pods have no index`),
    mode:
      spec.mode === 'fork'
        ? mapped('one container per pod', 'each instance is a pod')
        : spec.mode === 'cluster'
          ? approximated('one container per pod', "each pod runs the script once, without Node's cluster primary: the Service balances the pods")
          : approximated('Service', "LISTEN_FDS becomes a Service: no socket is handed over, the app must listen on $PORT itself"),
    port:
      p === undefined
        ? mapped('-', 'no port: no Service')
        : shared || spec.instances <= 1
          ? mapped(`Service ${name} port ${p}, containerPort ${p}`, `PORT=${p}`)
          : approximated(
              `Service ${name} port ${p}, containerPort ${p}`,
              `fork mode's PORT=port+i (${p}..${p + spec.instances - 1}) becomes PORT=${p} in every pod: each pod has its own IP, the Service balances port ${p}`,
            ),
    env:
      Object.keys(env.declared).length === 0
        ? mapped('-', 'none declared')
        : mapped(`ConfigMap ${name}-env (envFrom)`, `${plural(Object.keys(env.declared).length, 'variable')}; ORCH_APP, ORCH_PROJECT and PORT are set in the container`),
    env_file:
      spec.envFile === undefined
        ? mapped('-', 'none')
        : mapped(
            env.fromFile.length === 0 ? '-' : `Secret ${name}-env-file (envFrom, base64 data)`,
            `${plural(env.fromFile.length, 'variable')} (values never shown here)${env.overridden.length === 0 ? '' : `; ${env.overridden.join(', ')} overridden by env`}`,
          ),
    inherit_env: dropped("the pod's environment is the image's and the Deployment's: nothing comes from the caller of orch"),
    'restart.policy':
      r.policy === 'always'
        ? mapped('pod restartPolicy: Always')
        : dropped(`a Deployment restarts every exit (restartPolicy Always); '${r.policy}' needs a Job`),
    'restart.backoff': approximated('kubelet back-off', "the kubelet's own CrashLoopBackOff (10s, doubling, at most 5m)"),
    'restart.max_restarts': dropped('the kubelet never gives up on a crashing container: there is no errored state'),
    'restart.window': dropped('no crash limit to count in a window'),
    'restart.min_uptime': approximated('kubelet back-off', 'the kubelet resets its back-off after 10 minutes of running'),
    'shutdown.signal':
      spec.shutdown.signal === 'SIGTERM'
        ? mapped('SIGTERM', 'what Kubernetes sends')
        : spec.shutdown.signal === 'SIGKILL'
          ? approximated('terminationGracePeriodSeconds: 0', 'SIGTERM then SIGKILL at once')
          : approximated(
              'lifecycle.preStop exec',
              `a preStop hook sends ${spec.shutdown.signal} to PID 1 and waits for it to exit (the image needs /bin/sh; the app must be PID 1 and handle it); Kubernetes sends SIGTERM after the hook`,
            ),
    'shutdown.timeout': mapped('terminationGracePeriodSeconds', `${secondsCeil(spec.shutdown.timeoutMs)}s, then SIGKILL${spec.shutdown.signal === 'SIGTERM' || spec.shutdown.signal === 'SIGKILL' ? '' : '; it includes the preStop hook'}`),
    'ready.type': readyRow(spec, check),
    'ready.path': spec.ready.type === 'http' && check !== undefined ? mapped('httpGet.path', spec.ready.path) : mapped('-', 'not used by this ready type'),
    'ready.timeout':
      check === undefined
        ? mapped('-', 'no probe')
        : approximated('startupProbe failureThreshold', `${secondsCeil(spec.ready.timeoutMs)} checks 1s apart; a pod not ready in time is restarted (orch counts a failed start)`),
    'ready.delay':
      spec.ready.type === 'none' && spec.ready.delayMs > 0
        ? approximated('Deployment minReadySeconds', `${secondsCeil(spec.ready.delayMs)}s: a pod counts as available once up this long`)
        : mapped('-', 'not used by this ready type'),
    'reload.max_surge': mapped('strategy.rollingUpdate.maxSurge', String(spec.reload.maxSurge)),
    'reload.max_unavailable': mapped('strategy.rollingUpdate.maxUnavailable', String(spec.reload.maxUnavailable)),
    watch: spec.watch === undefined ? mapped('-', 'off') : dropped('dev mode only: commit and let the cluster roll out instead'),
    depends_on:
      deps.length === 0
        ? mapped('-', 'none')
        : (unwaitable.length === 0 ? approximated : dropped)(
            waitable.length === 0 ? '-' : `initContainers wait-for-${waitable.map(kubeName).join(', wait-for-')}`,
            [
              waitable.length === 0 ? '' : `waits until the Service of ${waitable.join(', ')} accepts TCP (it routes to ready pods only) with ${WAIT_IMAGE} nc; nothing orders stops`,
              unwaitable.length === 0 ? '' : `${unwaitable.join(', ')} has no port, so no Service to wait for`,
            ]
              .filter((s) => s !== '')
              .join('; '),
          ),
    max_memory:
      spec.maxMemoryBytes === undefined
        ? mapped('-', 'no limit')
        : approximated('resources.limits.memory', `${memoryQuantity(spec.maxMemoryBytes)}: the kernel OOM-kills at the limit where orch restarts above it`),
    protocol: spec.port === undefined ? mapped('-', 'no port') : mapped(`protocol: ${k8sProtocol(spec)}`, 'containerPort and Service port'),
    role:
      spec.role === 'agent'
        ? approximated('init containers of the other apps', "an agent is a dependency of every other app of its project (waited for as depends_on is); orch's message bus has no Kubernetes equivalent")
        : mapped('-', 'no role'),
    export: mapped(
      `image ${imageOf(spec, 'kubernetes', input.image)}`,
      `from ${imageSource(spec, 'kubernetes')}; objects named ${name}${spec.export?.kubernetes?.namespace === undefined ? '' : ` in namespace ${spec.export.kubernetes.namespace}`}; labels app.kubernetes.io/*${spec.export?.kubernetes?.labels === undefined ? '' : ' and export.kubernetes.labels'}`,
    ),
  };
  return rowsOf(spec.name, rows);
};

const readyRow = (spec: AppSpec, check: Check): ReturnType<typeof mapped> => {
  const t = spec.ready.type;
  if (check === undefined) {
    if (t === 'none') return mapped('-', 'no probe: ready once running');
    return dropped(`'${t}' has no Kubernetes equivalent and the app has no port to probe: the pod is ready once running`);
  }
  if (t === 'http') return mapped('readinessProbe.httpGet', `GET ${spec.ready.path} on port ${spec.port}`);
  if (t === 'tcp') return mapped('readinessProbe.tcpSocket', `port ${spec.port}`);
  return approximated('readinessProbe.tcpSocket', `${READY_SIGNAL[t]} becomes a tcp probe of port ${spec.port}`);
};
