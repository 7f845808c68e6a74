import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/wait-for.js';
import { createHarness, type Harness, nodeApp } from './harness.js';

let h: Harness;
beforeEach(() => {
  h = createHarness();
});
afterEach(async () => {
  await h.teardown();
});

describe('log capture', () => {
  it('keeps every line of a flood in order, splits streams and flushes the partial last line', async () => {
    const total = 20_000;
    await h.supervisor.create(nodeApp('flood', 'flood.js', [String(total)], { restart: { policy: 'never' }, ready: { type: 'none', delayMs: 0 } }));
    const text = await waitFor(() => (h.logText('flood').includes('partial-last') ? h.logText('flood') : undefined), { what: 'log flushed' });
    const out = text
      .split('\n')
      .filter((l) => l.includes(' flood#0 out '))
      .map((l) => l.slice(l.indexOf(' out ') + 5));
    expect(out).toHaveLength(total + 1);
    expect(out.slice(0, total)).toEqual(Array.from({ length: total }, (_, n) => `line ${n}`));
    expect(out[total]).toBe('partial-last');
    expect(text).toMatch(/ flood#0 err to stderr\n/);
  });
});
