// Semantic checks of one app that the schema cannot express (SPEC §3, layer 2).
import { type Problem, problem } from './diagnostics.js';
import type { AppDraft } from './normalize.js';
import { isNodeCommand } from './run-command.js';

export const checkApp = ({ spec, merged }: AppDraft): Problem[] => {
  const at = merged.origin;
  const out: Problem[] = [];
  if (spec.mode === 'cluster' && spec.shell) {
    out.push(problem(at('shell'), 'value', "mode cluster forks a Node script directly and cannot use 'shell: true'"));
  } else if (spec.mode === 'cluster' && !isNodeCommand(spec.command)) {
    out.push(
      problem(
        at('run'),
        'value',
        `mode cluster runs Node scripts only (node or a .js/.mjs/.cjs file), got '${spec.command[0] ?? ''}'; ` +
          'use mode socket to share a port between instances of any other program',
      ),
    );
  }
  if (spec.mode === 'socket' && spec.port === undefined) {
    out.push(problem(at('mode'), 'value', 'mode socket needs a port: orch binds it and hands it to every instance'));
  }
  const readyType = spec.ready.type;
  if ((readyType === 'http' || readyType === 'tcp') && spec.port === undefined) {
    out.push(problem(at('ready', 'type'), 'value', `ready type "${readyType}" needs a port to probe`));
  }
  if (readyType === 'listening' && spec.mode !== 'cluster') {
    out.push(
      problem(at('ready', 'type'), 'value', `ready type "listening" needs mode cluster, got mode ${spec.mode}`),
    );
  }
  if (readyType === 'notify' && spec.mode === 'cluster') {
    // The primary forks the workers, not orch: there is no per-worker socket to hand out.
    out.push(
      problem(at('ready', 'type'), 'value', 'ready type "notify" needs mode fork or socket; cluster workers use listening or message'),
    );
  }
  if (spec.port !== undefined && spec.mode === 'fork' && spec.port + spec.instances - 1 > 65535) {
    out.push(
      problem(
        at('port'),
        'value',
        `${spec.instances} fork-mode instances need ports ${spec.port}-${spec.port + spec.instances - 1}, beyond 65535`,
      ),
    );
  }
  if (spec.reload.maxSurge === 0 && spec.reload.maxUnavailable === 0) {
    out.push(
      problem(
        at('reload', 'max_surge'),
        'value',
        'max_surge and max_unavailable cannot both be 0: a rolling reload could never replace an instance',
      ),
    );
  }
  const { initialMs, maxMs } = spec.restart.backoff;
  if (initialMs > maxMs) {
    out.push(
      problem(at('restart', 'backoff', 'initial'), 'value', `must not exceed backoff.max (${maxMs}ms), got ${initialMs}ms`),
    );
  }
  return out;
};
