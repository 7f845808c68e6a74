// Semantic checks of one app that the schema cannot express (SPEC §3, layer 2). Each rule names
// the fields it reads: when one of them is broken (reported already, holding a stand-in value)
// the rule stays quiet, so one pass reports every error and no error that is not one.
import { type Problem, type Segment, problem } from './diagnostics.js';
import { nodeScript } from './node-script.js';
import type { AppDraft } from './normalize.js';
import { isNodeCommand } from './run-command.js';
import { formatDuration } from '../units.js';

interface Rule {
  readonly reads: readonly (readonly Segment[])[];
  readonly check: (draft: AppDraft) => Problem | undefined;
}

const RUN = ['run'] as const;
const SHELL = ['shell'] as const;
const MODE = ['mode'] as const;
const PORT = ['port'] as const;
const READY_TYPE = ['ready', 'type'] as const;
const PROTOCOL = ['protocol'] as const;

/** A Node script that cluster mode can fork: `node [options] <script>` (or `x.js`), not a shell. */
const runsNode = ({ spec }: AppDraft): boolean => !spec.shell && isNodeCommand(spec.command);

/** App names the command line gives a meaning of its own: `orch restart all` restarts every app. */
export const RESERVED_APP_NAMES: readonly string[] = ['all'];

const RULES: readonly Rule[] = [
  {
    reads: [],
    check: ({ merged }) =>
      RESERVED_APP_NAMES.includes(merged.name)
        ? problem(['apps', merged.name], 'key', `the app name '${merged.name}' is reserved: 'orch restart ${merged.name}' means every app; choose another name`)
        : undefined,
  },
  {
    reads: [MODE, SHELL],
    check: ({ spec, merged }) =>
      spec.mode === 'cluster' && spec.shell
        ? problem(merged.origin('shell'), 'value', "mode cluster forks a Node script directly and cannot use 'shell: true'")
        : undefined,
  },
  {
    reads: [MODE, SHELL, RUN],
    check: ({ spec, merged }) =>
      spec.mode === 'cluster' && !spec.shell && !isNodeCommand(spec.command)
        ? problem(
            merged.origin('run'),
            'value',
            `mode cluster runs Node scripts only (node or a .js/.mjs/.cjs file), got '${spec.command[0] ?? ''}'; ` +
              'use mode socket to share a port between instances of any other program',
          )
        : undefined,
  },
  {
    reads: [MODE, SHELL, RUN],
    // The same words as the cluster launcher's (src/supervisor/modes/cluster-argv.ts).
    check: (d) =>
      d.spec.mode === 'cluster' && runsNode(d) && nodeScript(d.spec.command.slice(1)).kind === 'none'
        ? problem(d.merged.origin('run'), 'value', 'mode cluster needs a script to run: node [options] <script> [args]')
        : undefined,
  },
  {
    reads: [MODE, PORT],
    check: ({ spec, merged }) =>
      spec.mode === 'socket' && spec.port === undefined
        ? problem(merged.origin('mode'), 'value', 'mode socket needs a port: orch binds it and hands it to every instance')
        : undefined,
  },
  {
    reads: [PROTOCOL, PORT],
    check: ({ spec, merged }) =>
      spec.protocol === 'udp' && spec.port === undefined
        ? problem(merged.origin('protocol'), 'value', "protocol udp needs a port: it says what 'port' is")
        : undefined,
  },
  {
    reads: [READY_TYPE, PROTOCOL],
    // A datagram socket accepts no connection and answers no GET: nothing to probe (SPEC §14).
    check: ({ spec, merged }) =>
      (spec.ready.type === 'http' || spec.ready.type === 'tcp') && spec.protocol === 'udp'
        ? problem(
            merged.origin('ready', 'type'),
            'value',
            `ready type "${spec.ready.type}" probes a TCP port and cannot check a UDP socket; ` +
              (spec.mode === 'cluster' ? 'use listening, message or none' : 'use none, notify or message'),
          )
        : undefined,
  },
  {
    reads: [READY_TYPE, PORT],
    check: ({ spec, merged }) =>
      (spec.ready.type === 'http' || spec.ready.type === 'tcp') && spec.port === undefined
        ? problem(merged.origin('ready', 'type'), 'value', `ready type "${spec.ready.type}" needs a port to probe`)
        : undefined,
  },
  {
    reads: [READY_TYPE, MODE],
    check: ({ spec, merged }) =>
      spec.ready.type === 'listening' && spec.mode !== 'cluster'
        ? problem(merged.origin('ready', 'type'), 'value', `ready type "listening" needs mode cluster, got mode ${spec.mode}`)
        : undefined,
  },
  {
    reads: [READY_TYPE, MODE],
    // The primary forks the workers, not orch: there is no per-worker socket to hand out.
    check: ({ spec, merged }) =>
      spec.ready.type === 'notify' && spec.mode === 'cluster'
        ? problem(
            merged.origin('ready', 'type'),
            'value',
            'ready type "notify" needs mode fork or socket; cluster workers use listening or message',
          )
        : undefined,
  },
  {
    reads: [PORT, MODE, ['instances']],
    check: ({ spec, merged }) =>
      spec.port !== undefined && spec.mode === 'fork' && spec.port + spec.instances - 1 > 65535
        ? problem(
            merged.origin('port'),
            'value',
            `${spec.instances} fork-mode instances need ports ${spec.port}-${spec.port + spec.instances - 1}, beyond 65535`,
          )
        : undefined,
  },
  {
    reads: [['role'], ['instances']],
    // One agent holds the project's long connections: two would each hold them (SPEC §14).
    check: ({ spec, merged }) =>
      spec.role === 'agent' && spec.instances !== 1
        ? problem(merged.origin('instances'), 'value', `an app with role: agent runs exactly one instance, got ${spec.instances}`)
        : undefined,
  },
  {
    reads: [['reload', 'max_surge'], ['reload', 'max_unavailable']],
    check: ({ spec, merged }) =>
      spec.reload.maxSurge === 0 && spec.reload.maxUnavailable === 0
        ? problem(
            merged.origin('reload', 'max_surge'),
            'value',
            'max_surge and max_unavailable cannot both be 0: a rolling reload could never replace an instance',
          )
        : undefined,
  },
  {
    reads: [['restart', 'backoff', 'initial'], ['restart', 'backoff', 'max']],
    check: ({ spec, merged }) => {
      const { initialMs, maxMs } = spec.restart.backoff;
      return initialMs > maxMs
        ? problem(merged.origin('restart', 'backoff', 'initial'), 'value', `must not exceed backoff.max (${maxMs}ms), got ${initialMs}ms`)
        : undefined;
    },
  },
];

const WARNINGS: readonly Rule[] = [
  {
    reads: [MODE, PORT, READY_TYPE, RUN, SHELL],
    // The worker's `listening` event comes only from a worker that listens: with no port declared
    // nothing says it will, and `listening 127.0.0.1:?` after the whole timeout explains nothing.
    check: (d) => {
      const { spec, merged } = d;
      if (spec.mode !== 'cluster' || spec.port !== undefined || spec.ready.type !== 'listening' || !runsNode(d)) return undefined;
      const written = merged.origin('ready', 'type').at(-1) === 'type';
      return problem(
        written ? merged.origin('ready', 'type') : merged.origin('mode'),
        'value',
        "cluster app with no port: readiness waits for each worker's 'listening' event, and a worker that does not " +
          `listen fails after ready.timeout (${formatDuration(spec.ready.timeoutMs, 's')}); set 'port', or ready.type 'message' or 'none'`,
      );
    },
  },
];

const run = (rules: readonly Rule[], draft: AppDraft): Problem[] =>
  rules.flatMap((rule) => (rule.reads.some((field) => draft.broken(...field)) ? [] : (rule.check(draft) ?? [])));

export const checkApp = (draft: AppDraft): Problem[] => run(RULES, draft);

/** Valid but probably not meant: reported as warnings, never a reason to refuse. */
export const warnApp = (draft: AppDraft): Problem[] => run(WARNINGS, draft);

