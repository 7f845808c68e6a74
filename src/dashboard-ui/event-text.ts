// One app event in words, as `orch describe` says it (exited by SIGKILL (pid 1234)).
import type { AppEvent } from '../daemon/dashboard/wire.js';

type Fields = Partial<Record<'pid' | 'code' | 'signal' | 'requested' | 'restarts' | 'reason' | 'generation' | 'action' | 'status' | 'droppedLines', unknown>>;

export const eventText = (event: AppEvent): string => {
  const e = event as AppEvent & Fields;
  const pid = e.pid === undefined ? '' : ` (pid ${String(e.pid)})`;
  const why = e.reason === undefined ? '' : `: ${String(e.reason)}`;
  switch (e.type) {
    case 'exited': {
      const how = e.signal != null ? ` by ${String(e.signal)}` : e.code != null ? ` with code ${String(e.code)}` : '';
      return `exited${how}${e.requested === true ? ', as asked' : ''}${pid}`;
    }
    case 'restarting':
      return `restarting after back-off (restart ${String(e.restarts ?? '?')})`;
    case 'applied':
      return `applied: generation ${String(e.generation)}${e.action === undefined ? '' : `, ${String(e.action)} ${String(e.status ?? '')}`}${why}`;
    case 'logs-resumed':
      return `logs resumed (${String(e.droppedLines)} lines dropped)`;
    default:
      return `${e.type}${pid}${why}`;
  }
};

/** An exit nobody asked for. */
export const isCrash = (event: AppEvent): boolean => event.type === 'exited' && (event as Fields).requested !== true;
