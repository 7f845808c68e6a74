import { describe, expect, it } from 'vitest';
import { renderStatus, type StatusAppJson } from '../../../src/cli/commands/status.js';
import { clip } from '../../../src/cli/output.js';
import { onlineCounts, parseInterval, screenLines, streamLines, topFrame, type TopFrame } from '../../../src/cli/top-frame.js';

const ESC = String.fromCharCode(27);

const instance = (index: number, state: string, pid: number | null = 100 + index) => ({
  index,
  pid,
  state,
  uptime_ms: state === 'online' ? 5_000 : null,
  restarts: 0,
  cpu: null,
  memory: null,
  port: null,
  last_exit: null,
  reason: null,
  messages: null,
});
const app = (name: string, states: readonly string[]): StatusAppJson =>
  ({ name, project: 'shop', generation: 1, mode: 'fork', stopped: false, dropped_lines: 0, instances: states.map((s, i) => instance(i, s)) }) as StatusAppJson;

describe('parseInterval', () => {
  it.each([
    ['1s', 1000],
    ['500ms', 500],
    ['100ms', 100],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['99ms', undefined],
    ['2h', undefined],
    ['5', undefined],
    ['1.5s', undefined],
    ['', undefined],
    ['fast', undefined],
  ])('%j → %j', (value, expected) => expect(parseInterval(value)).toBe(expected));
});

describe('onlineCounts', () => {
  it.each([
    [[], { apps: 0, appsOnline: 0, instances: 0, instancesOnline: 0 }],
    [[app('a', ['online', 'online'])], { apps: 1, appsOnline: 1, instances: 2, instancesOnline: 2 }],
    [[app('a', ['online', 'backoff']), app('b', ['online'])], { apps: 2, appsOnline: 1, instances: 3, instancesOnline: 2 }],
    // An app with no instances (stopped, scaled to 0) is not online.
    [[app('a', [])], { apps: 1, appsOnline: 0, instances: 0, instancesOnline: 0 }],
  ])('%#', (apps, expected) => expect(onlineCounts(apps)).toEqual(expected));
});

describe('topFrame', () => {
  const now = Date.parse('2026-01-02T03:04:05Z');
  const clock = (t: number) => new Date(t).toTimeString().slice(0, 8);
  const apps = [app('web', ['online', 'starting'])];

  it("live: the header, then status's own table; the keys only where keys are read", () => {
    const live = { state: 'live', pid: 42, startedAt: now - 65_000, apps } as const;
    const frame = topFrame(live, now, { color: false, intervalMs: 1000, keys: false });
    expect(frame.head).toEqual([`orch top  ${clock(now)}  daemon pid 42, up 1m  apps 0/1 online, instances 1/2 online`]);
    expect(frame.body.join('\n')).toBe(renderStatus(apps, { color: false }));
    expect(frame.foot).toEqual([]);
    expect(topFrame(live, now, { color: false, intervalMs: 2000, keys: true }).foot).toEqual([
      'q quit · Ctrl-C quit · refresh 2s · charts of cpu and memory: orch dashboard',
    ]);
  });

  it('no apps: the line status prints', () => {
    const frame = topFrame({ state: 'live', pid: 1, startedAt: now, apps: [] }, now, { color: false, intervalMs: 1000, keys: false });
    expect(frame.body).toEqual([renderStatus([], { color: false })]);
  });

  it('lost: since when, the pid it had, and why; no table', () => {
    const lost = { state: 'lost', since: now - 3000, lastPid: 42, reason: 'no daemon is running in /h' } as const;
    const frame = topFrame(lost, now, { color: false, intervalMs: 500, keys: false });
    expect(frame.head).toEqual([`orch top  ${clock(now)}  daemon unreachable since ${clock(now - 3000)} (was pid 42), retrying every 500ms`]);
    expect(frame.body).toEqual(['no daemon is running in /h']);
  });

  it('a piped frame has no blank line: frames are split by one', () => {
    const frame = topFrame({ state: 'live', pid: 1, startedAt: now, apps }, now, { color: false, intervalMs: 1000, keys: false });
    expect(streamLines(frame).every((l) => l !== '')).toBe(true);
  });
});

describe('screenLines', () => {
  const frame: TopFrame = { head: ['HEAD'], body: ['b1', 'b2', 'b3', 'b4', 'b5'], foot: ['FOOT'] };

  it('blank lines around the body when it fits', () => {
    expect(screenLines(frame, 80, 24)).toEqual(['HEAD', '', 'b1', 'b2', 'b3', 'b4', 'b5', '', 'FOOT']);
  });

  it('a body too tall is cut, saying how much; head and foot stay', () => {
    expect(screenLines(frame, 80, 7)).toEqual(['HEAD', '', 'b1', 'b2', '… 3 more lines (orch status shows them all)', '', 'FOOT']);
  });

  it('every line is cut to the width', () => {
    expect(screenLines({ head: ['0123456789'], body: ['abcdefghij'], foot: [] }, 4, 24)).toEqual(['0123', '', 'abcd']);
  });
});

describe('clip', () => {
  const green = (s: string) => `${ESC}[32m${s}${ESC}[39m`;
  it.each([
    ['short', 10, 'short'],
    ['exactly', 7, 'exactly'],
    ['too long', 3, 'too'],
    // Colour codes take no room, and a cut inside colour resets it.
    [`a ${green('online')} b`, 20, `a ${green('online')} b`],
    [`a ${green('online')} b`, 4, `a ${ESC}[32mon${ESC}[0m`],
  ])('%j to %i', (line, width, expected) => expect(clip(line, width)).toBe(expected));
});
