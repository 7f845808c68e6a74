import { describe, expect, it } from 'vitest';
import { SAMPLE_EVERY_MS, SAMPLES_KEPT, SampleRing, SampleStore } from '../../../src/daemon/dashboard/samples.js';

const at = (time: number) => ({ time, cpu: time / 10, memory: time * 1000 });

describe('sample rings', () => {
  it('keep an hour of points', () => {
    expect(SAMPLES_KEPT * SAMPLE_EVERY_MS).toBe(60 * 60 * 1000);
  });

  it('keep the newest points, oldest first, past their bound', () => {
    const ring = new SampleRing(3);
    expect(ring.values()).toEqual([]);
    ring.push(at(1));
    ring.push(at(2));
    expect(ring.values()).toEqual([at(1), at(2)]);
    for (const t of [3, 4, 5]) ring.push(at(t));
    expect(ring.values()).toEqual([at(3), at(4), at(5)]);
  });

  it('a store drops the rings of instances that are gone', () => {
    const store = new SampleStore(2);
    store.push('web#0', at(1));
    store.push('web#1', at(1));
    store.push('old#0', at(1));
    store.keepOnly(new Set(['web#0', 'web#1']));
    expect(store.size).toBe(2);
    expect(store.series(['web#0', 'old#0'])).toEqual({ 'web#0': [at(1)], 'old#0': [] });
  });
});
