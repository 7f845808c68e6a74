import { describe, expect, it } from 'vitest';
import type { RestartSpec } from '../../../src/config/desired.js';
import { type Instance, type InstanceEvent, initialInstance, transition } from '../../../src/supervisor/instance.js';
import { defaultRestart } from '../../helpers/spec.js';

// SPEC's defaults (from the normalizer), with a 1 s cap on the back-off and 3 restarts.
const DEFAULTS = defaultRestart();
const policy: RestartSpec = { ...DEFAULTS, backoff: { ...DEFAULTS.backoff, maxMs: 1000 }, maxRestarts: 3 };
const T = 1_000_000;
const base = initialInstance(0);
const starting: Instance = { ...base, state: 'starting', pid: undefined, startedAt: undefined };
const spawned: Instance = { ...base, state: 'starting', pid: 42, startedAt: T - 500 };
const online: Instance = { ...base, state: 'online', pid: 42, startedAt: T - 5000, readyAt: T - 4000 };
const stopping: Instance = { ...base, state: 'stopping', pid: 42, startedAt: T - 5000, since: T - 10, then: 'stopped' };
const backoff: Instance = { ...base, state: 'backoff', until: T + 100, lastExit: { code: 1, signal: null, at: T - 100 } };
const errored: Instance = { ...base, state: 'errored', reason: 'crashed 3 times in 60s', history: { crashes: [T - 1], consecutive: 3 } };
const rollback: Instance = { ...base, state: 'rollback', pid: 42, startedAt: T - 5000, reason: 'reload rolled back' };
const exited = (code: number | null, signal: string | null = null): InstanceEvent => ({ type: 'exited', code, signal, policy });

describe('transition', () => {
  it.each<[string, Instance, InstanceEvent, Partial<Record<string, unknown>>]>([
    ['stopped + startRequested -> starting without a pid', base, { type: 'startRequested', resetHistory: true }, { state: 'starting', pid: undefined, restarts: 0 }],
    ['starting + spawned -> records pid and start time', starting, { type: 'spawned', pid: 7 }, { state: 'starting', pid: 7, startedAt: T }],
    ['starting + ready -> online', spawned, { type: 'ready' }, { state: 'online', pid: 42, readyAt: T }],
    ['starting + spawnFailed -> backoff with the reason', starting, { type: 'spawnFailed', reason: 'command not found: x', policy }, { state: 'backoff', until: T + 100, reason: 'command not found: x' }],
    ['starting + exited -> backoff, reason says before ready', spawned, exited(3), { state: 'backoff', reason: 'exited with code 3 before ready', lastExit: { code: 3, signal: null, at: T } }],
    ['starting + readyFailed -> stopping towards errored', spawned, { type: 'readyFailed', reason: 'not ready' }, { state: 'stopping', then: 'errored', since: T }],
    ['online + exited after min_uptime, first crash -> backoff with no delay', online, exited(null, 'SIGSEGV'), { state: 'backoff', until: T, reason: 'killed by SIGSEGV' }],
    [
      'online + exited after min_uptime, second crash in the window -> backoff at the initial delay',
      { ...online, history: { crashes: [T - 6000], consecutive: 0 } },
      exited(null, 'SIGSEGV'),
      { state: 'backoff', until: T + 100 },
    ],
    ['online + stopRequested -> stopping', online, { type: 'stopRequested', reason: 'memory' }, { state: 'stopping', then: 'stopped', reason: 'memory' }],
    ['stopping + exited -> stopped, no crash recorded', stopping, exited(0), { state: 'stopped', history: base.history, lastExit: { code: 0, signal: null, at: T } }],
    [
      'stopping + a failing exit -> stopped: the stop reason stays, the crash history is untouched',
      { ...stopping, reason: 'memory 700M > max_memory 600M', history: { crashes: [T - 1], consecutive: 1 } },
      exited(null, 'SIGKILL'),
      { state: 'stopped', reason: 'memory 700M > max_memory 600M', history: { crashes: [T - 1], consecutive: 1 }, lastExit: { code: null, signal: 'SIGKILL', at: T } },
    ],
    ['stopping(then errored) + exited -> errored', { ...stopping, then: 'errored', reason: 'not ready' }, exited(null, 'SIGTERM'), { state: 'errored', reason: 'not ready' }],
    ['backoff + backoffElapsed -> starting, one more restart', backoff, { type: 'backoffElapsed' }, { state: 'starting', restarts: 1 }],
    ['backoff + stopRequested -> stopped', backoff, { type: 'stopRequested' }, { state: 'stopped' }],
    ['errored + startRequested(reset) -> starting with a clean history', errored, { type: 'startRequested', resetHistory: true }, { state: 'starting', reason: undefined, history: { crashes: [], consecutive: 0 } }],
    ['online + rolledBack -> rollback keeps the process', online, { type: 'rolledBack', reason: 'r' }, { state: 'rollback', pid: 42, reason: 'r' }],
    ['rollback + startRequested -> online (accepted)', rollback, { type: 'startRequested', resetHistory: true }, { state: 'online', pid: 42, reason: undefined }],
    ['rollback + exited -> crash handling', rollback, exited(1), { state: 'backoff' }],
  ])('%s', (_name, from, event, expected) => {
    const next = transition(from, event, T);
    expect(next).not.toBe(from);
    expect(next).toMatchObject(expected);
  });

  it('marks a crash loop errored once max_restarts crashes fall in the window', () => {
    const looping: Instance = { ...spawned, history: { crashes: [T - 200, T - 100], consecutive: 2 } };
    expect(transition(looping, exited(1), T)).toMatchObject({ state: 'errored', reason: 'crashed 3 times in 60s (last: exited with code 1 before ready)' });
  });

  it.each<[string, Instance, InstanceEvent]>([
    ['ready after the process already exited', backoff, { type: 'ready' }],
    ['a stale back-off timer after a stop', base, { type: 'backoffElapsed' }],
    ['a second stop', stopping, { type: 'stopRequested' }],
    ['start while online', online, { type: 'startRequested', resetHistory: true }],
    ['spawned twice', spawned, { type: 'spawned', pid: 9 }],
    ['exit with no process', base, exited(0)],
    ['rollback of an instance that is not online', backoff, { type: 'rolledBack', reason: 'r' }],
  ])('ignores %s (returns the same object)', (_name, from, event) => {
    expect(transition(from, event, T)).toBe(from);
  });

  it('states without a process carry no pid field', () => {
    const next = transition(online, exited(1), T);
    expect('pid' in next).toBe(false);
  });
});
