import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RestartSpec } from '../../../src/config/desired.js';
import { type CrashHistory, decideRestart, type ExitFacts, freeRestart, isFreeExit, nextRestartDelay, recordExit } from '../../../src/supervisor/restart-policy.js';
import { defaultRestart } from '../../helpers/spec.js';

// SPEC's defaults (from the normalizer), with a 1 s cap on the back-off.
const DEFAULTS = defaultRestart();
const policy = (o: Partial<RestartSpec> = {}): RestartSpec => ({ ...DEFAULTS, backoff: { ...DEFAULTS.backoff, maxMs: 1000 }, ...o });
const crash = (o: Partial<ExitFacts> = {}): ExitFacts => ({ code: 1, signal: null, uptimeMs: 10, stoppedByUs: false, ...o });
const none: CrashHistory = { crashes: [], consecutive: 0 };
const now = 1_000_000;

describe('nextRestartDelay', () => {
  it.each([
    [1, 100],
    [2, 200],
    [3, 400],
    [4, 800],
    [5, 1000],
    [20, 1000],
  ])('crash #%i waits %ims', (n, ms) => {
    expect(nextRestartDelay({ initialMs: 100, maxMs: 1000, factor: 2 }, n)).toBe(ms);
  });
});

describe('decideRestart', () => {
  it.each<[string, RestartSpec, CrashHistory, ExitFacts, ReturnType<typeof decideRestart>]>([
    ['always: a crash restarts after the initial delay', policy(), none, crash(), { action: 'restart', delayMs: 100 }],
    ['always: a clean exit restarts too', policy(), none, crash({ code: 0 }), { action: 'restart', delayMs: 100 }],
    ['always: an exit we asked for does not', policy(), none, crash({ stoppedByUs: true }), { action: 'stay-stopped' }],
    ['on-failure: non-zero code restarts', policy({ policy: 'on-failure' }), none, crash({ code: 2 }), { action: 'restart', delayMs: 100 }],
    ['on-failure: a signal restarts', policy({ policy: 'on-failure' }), none, crash({ code: null, signal: 'SIGSEGV' }), { action: 'restart', delayMs: 100 }],
    ['on-failure: code 0 stays stopped', policy({ policy: 'on-failure' }), none, crash({ code: 0 }), { action: 'stay-stopped' }],
    ['on-failure: a spawn failure (no code) restarts', policy({ policy: 'on-failure' }), none, crash({ code: null }), { action: 'restart', delayMs: 100 }],
    ['never: never restarts', policy({ policy: 'never' }), none, crash(), { action: 'stay-stopped' }],
    ['quick crashes back off exponentially', policy(), { crashes: [now - 300, now - 200], consecutive: 2 }, crash(), { action: 'restart', delayMs: 400 }],
    ['back-off is capped at max', policy(), { crashes: [now - 300], consecutive: 8 }, crash(), { action: 'restart', delayMs: 1000 }],
    ['a run longer than min_uptime resets the back-off', policy(), { crashes: [now - 5000], consecutive: 4 }, crash({ uptimeMs: 2000 }), { action: 'restart', delayMs: 100 }],
    [
      'max_restarts crashes within the window: errored',
      policy({ maxRestarts: 3 }),
      { crashes: [now - 2000, now - 1000], consecutive: 2 },
      crash(),
      { action: 'errored', reason: 'crashed 3 times in 60s' },
    ],
    [
      'crashes older than the window do not count',
      policy({ maxRestarts: 3 }),
      { crashes: [now - 120_000, now - 61_000], consecutive: 0 },
      crash({ uptimeMs: 5000 }),
      // The only crash in the window, after a long run: the free first restart.
      { action: 'restart', delayMs: 0 },
    ],
    ['max_restarts 0: the first crash is terminal', policy({ maxRestarts: 0 }), none, crash(), { action: 'errored', reason: 'crashed 1 times in 60s' }],
    // The first restart is free (systemd, the kubelet): a healthy run that ends is restarted at once.
    ['a long-running instance\'s first crash restarts with no delay', policy(), none, crash({ uptimeMs: 5000 }), { action: 'restart', delayMs: 0 }],
    ['a free first restart: a clean exit of a long run too', policy(), none, crash({ code: 0, uptimeMs: 5000 }), { action: 'restart', delayMs: 0 }],
    ['exactly min_uptime counts as a long run', policy(), none, crash({ uptimeMs: 1000 }), { action: 'restart', delayMs: 0 }],
    ['after a free restart, the next quick crash waits initial (the second restart)', policy(), { crashes: [now - 500], consecutive: 0 }, crash(), { action: 'restart', delayMs: 100 }],
    ['then the back-off grows from there', policy(), { crashes: [now - 800, now - 500], consecutive: 1 }, crash(), { action: 'restart', delayMs: 200 }],
    ['a long run that is the second crash in the window waits initial', policy(), { crashes: [now - 10_000], consecutive: 0 }, crash({ uptimeMs: 5000 }), { action: 'restart', delayMs: 100 }],
    ['a quick first crash (never ran long) still waits initial', policy(), none, crash({ uptimeMs: 999 }), { action: 'restart', delayMs: 100 }],
    ['a free restart still counts towards max_restarts', policy({ maxRestarts: 1 }), none, crash({ uptimeMs: 5000 }), { action: 'errored', reason: 'crashed 1 times in 60s' }],
  ])('%s', (_name, p, history, exit, expected) => {
    // The caller records the exit once, then decides from that history (as instance.ts does).
    expect(decideRestart(p, recordExit(p, history, exit, now), exit)).toEqual(expected);
  });
});

describe('recordExit', () => {
  it('prunes the window, appends the crash and counts the streak', () => {
    expect(recordExit(policy(), { crashes: [now - 70_000, now - 50], consecutive: 1 }, crash(), now)).toEqual({
      crashes: [now - 50, now],
      consecutive: 2,
    });
  });
  it('a free restart (long run, first crash in the window) starts the streak at 0', () => {
    expect(recordExit(policy(), { crashes: [now - 70_000], consecutive: 3 }, crash({ uptimeMs: 5000 }), now)).toEqual({ crashes: [now], consecutive: 0 });
  });
  it('a long run with another crash in the window restarts the streak at 1', () => {
    expect(recordExit(policy(), { crashes: [now - 10_000], consecutive: 3 }, crash({ uptimeMs: 5000 }), now)).toEqual({
      crashes: [now - 10_000, now],
      consecutive: 1,
    });
  });
  it('leaves the history alone for exits that are not crashes', () => {
    const h = { crashes: [now - 50], consecutive: 1 };
    expect(recordExit(policy(), h, crash({ stoppedByUs: true }), now)).toBe(h);
  });
});

describe('freeRestart', () => {
  // A cluster primary acts on it before the supervisor decides (cluster-primary.ts): it must say
  // "free" exactly where recordExit + decideRestart restart with no delay.
  it('agrees with recordExit + decideRestart on every unrequested exit', () => {
    const arbitraryPolicy = fc.record({
      policy: fc.constantFrom('always', 'on-failure', 'never') as fc.Arbitrary<RestartSpec['policy']>,
      maxRestarts: fc.integer({ min: 0, max: 5 }),
      windowMs: fc.integer({ min: 0, max: 10_000 }),
      minUptimeMs: fc.integer({ min: 0, max: 5000 }),
    });
    fc.assert(
      fc.property(
        arbitraryPolicy,
        fc.array(fc.integer({ min: 0, max: 20_000 }), { maxLength: 4 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 20_000 }),
        fc.integer({ min: 0, max: 20_000 }),
        fc.constantFrom({ code: 0, signal: null }, { code: 1, signal: null }, { code: null, signal: 'SIGKILL' }),
        (p, offsets, consecutive, start, ran, exit) => {
          const restart = policy(p);
          const crashes = offsets.map((o) => now - o).sort((a, b) => a - b);
          const startedAt = now + start;
          const at = startedAt + ran;
          const history: CrashHistory = { crashes, consecutive };
          const facts: ExitFacts = { ...exit, uptimeMs: ran, stoppedByUs: false };
          const decided = decideRestart(restart, recordExit(restart, history, facts, at), facts);
          const free = freeRestart(restart, history, startedAt);
          const predicted = free !== undefined && isFreeExit(free, exit, at);
          expect(predicted).toBe(decided.action === 'restart' && decided.delayMs === 0);
        },
      ),
      { numRuns: 2000 },
    );
  });
  it('is undefined where no exit is free', () => {
    expect(freeRestart(policy({ policy: 'never' }), none, now)).toBeUndefined();
    expect(freeRestart(policy({ maxRestarts: 1 }), none, now)).toBeUndefined();
  });
  it('waits min_uptime, and the window past the last crash', () => {
    expect(freeRestart(policy({ minUptimeMs: 1000, windowMs: 60_000 }), none, now)).toEqual({ after: now + 1000, onFailureOnly: false });
    expect(freeRestart(policy({ minUptimeMs: 1000, windowMs: 60_000 }), { crashes: [now - 50], consecutive: 0 }, now)).toEqual({ after: now + 59_950, onFailureOnly: false });
  });
});
