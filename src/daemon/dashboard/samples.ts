// The points of the CPU and memory charts: a fixed ring per instance (an hour at one point every
// SAMPLE_EVERY_MS), typed arrays so the bound is in bytes (~17 KiB per instance), filled only
// while a dashboard client is connected (live.ts): the charts show the time someone looked.
import type { Sample } from './wire.js';

export const SAMPLE_EVERY_MS = 5_000;
export const SAMPLES_KEPT = (60 * 60 * 1000) / SAMPLE_EVERY_MS;

export class SampleRing {
  private readonly data: Float64Array;
  private next = 0;
  private count = 0;

  constructor(private readonly capacity = SAMPLES_KEPT) {
    this.data = new Float64Array(capacity * 3);
  }

  push({ time, cpu, memory }: Sample): void {
    this.data.set([time, cpu, memory], this.next * 3);
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  /** Oldest first. */
  values(): Sample[] {
    const start = (this.next - this.count + this.capacity) % this.capacity;
    return Array.from({ length: this.count }, (_, k) => {
      const at = ((start + k) % this.capacity) * 3;
      return { time: this.data[at]!, cpu: this.data[at + 1]!, memory: this.data[at + 2]! };
    });
  }
}

/** One ring per instance key (`app#index`); instances that are gone are dropped by `keepOnly`. */
export class SampleStore {
  private readonly rings = new Map<string, SampleRing>();

  constructor(private readonly capacity = SAMPLES_KEPT) {}

  push(key: string, sample: Sample): void {
    let ring = this.rings.get(key);
    if (ring === undefined) {
      ring = new SampleRing(this.capacity);
      this.rings.set(key, ring);
    }
    ring.push(sample);
  }

  series(keys: readonly string[]): Record<string, Sample[]> {
    return Object.fromEntries(keys.map((k) => [k, this.rings.get(k)?.values() ?? []]));
  }

  keepOnly(keys: ReadonlySet<string>): void {
    for (const key of this.rings.keys()) if (!keys.has(key)) this.rings.delete(key);
  }

  get size(): number {
    return this.rings.size;
  }
}
