// Who a bus message is for (src/daemon/bus-targets.ts): a table over one daemon's apps.
import { describe, expect, it } from 'vitest';
import { type BusApp, notRunningMessage, resolveTarget } from '../../../src/daemon/bus-targets.js';

const online = (n: number) => Array.from({ length: n }, (_, index) => ({ index, state: 'online' }));
const apps: BusApp[] = [
  { project: 'shop', name: 'hub', agent: true, instances: online(1) },
  { project: 'shop', name: 'api', agent: false, instances: [{ index: 0, state: 'online' }, { index: 1, state: 'stopped' }] },
  { project: 'blog', name: 'web', agent: false, instances: online(2) },
];

describe('resolveTarget', () => {
  it.each([
    ['agent', 'shop', { ok: true, app: 'hub', instance: 0 }],
    ['api', 'shop', { ok: true, app: 'api', instance: undefined }],
    ['api#1', 'shop', { ok: true, app: 'api', instance: 1 }],
    ['api#7', 'shop', { ok: true, app: 'api', instance: 7 }],
    ['nope', 'shop', { ok: false, code: 'ORCH_BUS_UNKNOWN_TARGET', message: "no app 'nope' in project 'shop'" }],
    ['web#0', 'shop', { ok: false, code: 'ORCH_BUS_UNKNOWN_TARGET', message: "no app 'web' in project 'shop'" }],
    ['agent', 'blog', { ok: false, code: 'ORCH_BUS_UNKNOWN_TARGET', message: "project 'blog' has no agent (an app with role: agent)" }],
  ])('%s from %s', (to, project, expected) => {
    expect(resolveTarget(to, project, apps)).toEqual(expected);
  });
});

describe('notRunningMessage', () => {
  const api = apps[1];
  it.each([
    [1, 'api#1 is not running (stopped)'],
    [7, 'api#7 is not running (api has 2 instances)'],
    [0, 'api#0 is not connected to the bus (online; it has not called on() or send())'],
    [undefined, 'no instance of api is connected to the bus (none has called on() or send())'],
  ])('api#%s', (instance, expected) => {
    expect(notRunningMessage(api, 'api', instance)).toBe(expected);
  });
  it('an app with nothing running', () => {
    expect(notRunningMessage({ project: 'p', name: 'x', agent: false, instances: [] }, 'x', undefined)).toBe('x is not running');
  });
});
