// UDP in the plan (SPEC §14): a protocol change needs new processes behind a new socket (a
// restart), and the pre-flight reads holders per protocol: a TCP listener never blocks a UDP app
// on the same number, nor the other way round.
import { describe, expect, it } from 'vitest';
import { planActions } from '../../../src/reconcile/plan.js';
import type { HostFacts, PortHolder } from '../../../src/reconcile/types.js';
import { NO_FACTS } from '../../../src/reconcile/types.js';
import { actual, desired, spec, view } from './builders.js';

const holder = (port: number, pid: number, command = 'python3'): PortHolder => ({ port, pids: [pid], pgids: [pid], command });
const facts = (tcp: PortHolder[], udp: PortHolder[], over: Partial<HostFacts> = {}): HostFacts => ({
  ...NO_FACTS,
  listeners: new Map(tcp.map((h) => [h.port, h])),
  udpListeners: new Map(udp.map((h) => [h.port, h])),
  ...over,
});

const dns = spec({ name: 'dns', mode: 'socket', port: 5353, protocol: 'udp', instances: 2 });

describe('plan: protocol', () => {
  it('a protocol change is a restart, shown as a change of protocol', () => {
    const tcp = spec({ ...dns, protocol: 'tcp' });
    const [action] = planActions(desired([dns]), actual([view(tcp)])).actions;
    expect(action?.type).toBe('restart');
    expect(action?.type === 'restart' ? action.changes : []).toEqual([{ field: 'protocol', before: 'tcp', after: 'udp' }]);
  });

  it('a spec persisted before protocol existed reads as tcp: no change', () => {
    const tcp = spec({ name: 'web', mode: 'socket', port: 3000, protocol: 'tcp' });
    const { protocol: _omitted, ...old } = tcp;
    expect(planActions(desired([tcp]), actual([view(old)])).actions).toEqual([]);
  });

  it('a run change of a udp socket app is a rolling reload', () => {
    const next = spec({ ...dns, command: ['python3', 'v2.py'] });
    expect(planActions(desired([next]), actual([view(dns)])).actions.map((a) => a.type)).toEqual(['reload']);
  });
});

describe('pre-flight: holders per protocol', () => {
  it('a TCP listener on the number does not block a UDP app', () => {
    expect(planActions(desired([dns]), actual([]), facts([holder(5353, 1234)], [])).refusals).toEqual([]);
  });

  it('a UDP socket on the number blocks a UDP app, named with its protocol', () => {
    expect(planActions(desired([dns]), actual([]), facts([], [holder(5353, 1234, 'avahi-daemon')])).refusals).toEqual([
      { app: 'dns', kind: 'port-in-use', message: 'port 5353/udp is in use by pid 1234 (avahi-daemon)' },
    ]);
  });

  it('a UDP socket does not block a TCP app', () => {
    const web = spec({ name: 'web', port: 5353 });
    expect(planActions(desired([web]), actual([]), facts([], [holder(5353, 1234)])).refusals).toEqual([]);
  });

  it("another project's TCP app declaring the number does not block a UDP app", () => {
    const theirs = spec({ name: 'other', project: 'demo', mode: 'socket', port: 5353 });
    expect(planActions(desired([dns]), actual([view(theirs)]), facts([holder(5353, 42)], [], { daemonPid: 42 })).refusals).toEqual([]);
  });

  it("another project's UDP app declaring the number blocks it, even while down", () => {
    const theirs = spec({ name: 'other', project: 'demo', port: 5353, protocol: 'udp' });
    expect(planActions(desired([dns]), actual([view(theirs, { states: ['backoff'] })]), facts([], [])).refusals.map((r) => r.message)).toEqual([
      "port 5353/udp is held by app 'other' of project 'demo'",
    ]);
  });

  it('a udp socket app whose instances are down: the daemon holding its datagram socket is the app itself', () => {
    const down = view(dns, { states: ['backoff', 'backoff'] });
    const next = spec({ ...dns, command: ['python3', 'v2.py'] });
    expect(planActions(desired([next]), actual([down]), facts([], [holder(5353, 42, 'node')], { daemonPid: 42 })).refusals).toEqual([]);
  });
});
