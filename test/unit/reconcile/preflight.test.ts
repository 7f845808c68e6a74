// The plan carries every refusal known before acting (SPEC §9): names owned by another project,
// ports held by another project's app or a foreign process, missing paths.
import { describe, expect, it } from 'vitest';
import { planActions } from '../../../src/reconcile/plan.js';
import type { HostFacts, PortHolder } from '../../../src/reconcile/types.js';
import { NO_FACTS } from '../../../src/reconcile/types.js';
import { actual, desired, instance, spec, view } from './builders.js';

const holder = (port: number, pid: number, pgid = pid, command = 'python3'): PortHolder => ({ port, pids: [pid], pgids: [pgid], command });
const facts = (listeners: PortHolder[], over: Partial<HostFacts> = {}): HostFacts => ({
  ...NO_FACTS,
  listeners: new Map(listeners.map((h) => [h.port, h])),
  ...over,
});

const web = spec({ name: 'web', port: 3000 });

describe('planActions: refusals', () => {
  it('a free port: no refusal', () => {
    expect(planActions(desired([web]), actual([]), facts([])).refusals).toEqual([]);
  });

  it('a port held by a foreign process: the create is refused, naming its pid and command', () => {
    const plan = planActions(desired([web]), actual([]), facts([holder(3000, 1234)]));
    expect(plan.actions.map((a) => a.type)).toEqual(['create']);
    expect(plan.refusals).toEqual([{ app: 'web', kind: 'port-in-use', message: 'port 3000 is in use by pid 1234 (python3)' }]);
  });

  it('a holder this user cannot see is named as such', () => {
    const plan = planActions(desired([web]), actual([]), facts([{ port: 3000, pids: [], pgids: [], command: undefined }]));
    expect(plan.refusals[0]?.message).toBe('port 3000 is in use by another process (not visible to this user)');
  });

  it('a fork app needs port + i for every instance', () => {
    const three = spec({ name: 'web', port: 3000, instances: 3 });
    expect(planActions(desired([three]), actual([]), facts([holder(3002, 99, 99, 'nc')])).refusals).toEqual([
      { app: 'web', kind: 'port-in-use', message: 'port 3002 is in use by pid 99 (nc)' },
    ]);
  });

  it("the app's own instances holding its port: no refusal (a restart frees it first)", () => {
    const before = view(web); // instance 0 has pid 1000
    const next = spec({ ...web, command: ['node', 'v2.js'] });
    const plan = planActions(desired([next]), actual([before]), facts([holder(3000, 1000)]));
    expect(plan.actions.map((a) => a.type)).toEqual(['restart']);
    expect(plan.refusals).toEqual([]);
  });

  it('a cluster app: the primary holds the port, its workers are in its group', () => {
    const cluster = spec({ name: 'web', mode: 'cluster', port: 3000, instances: 2 });
    const groups = new Map([
      [1000, 900],
      [1001, 900],
    ]);
    const plan = planActions(desired([{ ...cluster, command: ['node', 'v2.js'] }]), actual([view(cluster)]), facts([holder(3000, 900)], { groups }));
    expect(plan.actions.map((a) => a.type)).toEqual(['reload']);
    expect(plan.refusals).toEqual([]);
  });

  it('a socket app whose instances are all down: the daemon holding the socket is the app itself', () => {
    const sock = spec({ name: 'web', mode: 'socket', port: 3000 });
    const down = view(sock, { states: ['backoff'] });
    const plan = planActions(desired([{ ...sock, command: ['node', 'v2.js'] }]), actual([down]), facts([holder(3000, 42, 42, 'node')], { daemonPid: 42 }));
    expect(plan.refusals).toEqual([]);
  });

  it("a port held by another project's app is refused, naming the app", () => {
    const theirs = spec({ name: 'other', project: 'demo', port: 3000 });
    const plan = planActions(desired([web]), actual([view(theirs)]), facts([holder(3000, 1000)]));
    expect(plan.refusals).toEqual([{ app: 'web', kind: 'port-in-use', message: "port 3000 is held by app 'other' of project 'demo'" }]);
  });

  it("another project's app that declares the port is refused even while it is down", () => {
    const theirs = spec({ name: 'other', project: 'demo', port: 3000 });
    const plan = planActions(desired([web]), actual([view(theirs, { states: ['backoff'] })]), facts([]));
    expect(plan.refusals.map((r) => r.message)).toEqual(["port 3000 is held by app 'other' of project 'demo'"]);
  });

  it('an app of this project that the plan deletes first frees its port', () => {
    const old = spec({ name: 'old', port: 3000 });
    const plan = planActions(desired([web]), actual([view(old)]), facts([holder(3000, 1000)]));
    expect(plan.actions.map((a) => `${a.type} ${a.app}`)).toEqual(['delete old', 'create web']);
    expect(plan.refusals).toEqual([]);
  });

  it('a scale up checks only the new instances’ ports', () => {
    const two = spec({ name: 'web', port: 3000, instances: 2 });
    const before = view(spec({ name: 'web', port: 3000 }));
    expect(planActions(desired([two]), actual([before]), facts([holder(3000, 1000), holder(3001, 7, 7, 'nc')])).refusals).toEqual([
      { app: 'web', kind: 'port-in-use', message: 'port 3001 is in use by pid 7 (nc)' },
    ]);
  });

  it('an update in place needs no port', () => {
    const next = spec({ ...web, restart: { maxRestarts: 3 } });
    const before = { ...view(web), instances: [instance(0, 'online', 3000)] };
    expect(planActions(desired([next]), actual([before]), facts([holder(3000, 555)])).refusals).toEqual([]);
  });

  it('a name owned by another project refuses the file', () => {
    const theirs = spec({ name: 'web', project: 'demo', port: 4000 });
    const plan = planActions(desired([web]), actual([view(theirs)]), facts([]));
    expect(plan.refusals).toEqual([{ app: 'web', kind: 'name-taken', message: "app name 'web' is already used by project 'demo' in this ORCH_HOME" }]);
  });

  it('a missing cwd is refused with the fact’s words', () => {
    const plan = planActions(desired([web]), actual([]), facts([], { missing: new Map([['web', 'cwd /gone does not exist']]) }));
    expect(plan.refusals).toEqual([{ app: 'web', kind: 'missing-path', message: 'cwd /gone does not exist' }]);
  });

  it('refusals are sorted by app', () => {
    const a = spec({ name: 'a', port: 3000 });
    const b = spec({ name: 'b', port: 3001 });
    const plan = planActions(desired([b, a]), actual([]), facts([holder(3001, 2), holder(3000, 1)]));
    expect(plan.refusals.map((r) => r.app)).toEqual(['a', 'b']);
  });
});
