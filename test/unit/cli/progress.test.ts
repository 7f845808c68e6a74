import { afterEach, describe, expect, it, vi } from 'vitest';
import { createProgress } from '../../../src/cli/progress.js';

const CLEAR = '\r\x1b[2K';

const fakeStream = (isTTY: boolean) => {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 60, write: (s: string) => (writes.push(s), true) } };
};

afterEach(() => {
  vi.useRealTimers();
});

describe('createProgress', () => {
  it('off a TTY prints the finished lines and nothing else', () => {
    const { writes, stream } = fakeStream(false);
    const p = createProgress({ stream });
    p.start('web: create');
    p.done('web: create');
    p.print('✓ web: create done');
    p.stop();
    expect(writes).toEqual(['✓ web: create done\n']);
  });

  it('on a TTY shows what is in flight with its elapsed time, prints finished lines above it, and clears it', () => {
    vi.useFakeTimers();
    let now = 0;
    const { writes, stream } = fakeStream(true);
    const p = createProgress({ stream, now: () => now });
    p.start('web: reload');
    expect(writes.at(-1)).toMatch(/^. web: reload \(0s\)$/);
    now = 2500;
    vi.advanceTimersByTime(100);
    expect(writes.slice(-2)).toEqual([CLEAR, expect.stringMatching(/^. web: reload \(2s\)$/)]);
    p.start('db: create');
    expect(writes.at(-1)).toMatch(/web: reload \(2s\), db: create \(0s\)$/);
    p.done('db: create');
    p.print('✓ db: create done');
    expect(writes.slice(-3)).toEqual([CLEAR, '✓ db: create done\n', expect.stringMatching(/^. web: reload \(2s\)$/)]);
    p.stop();
    expect(writes.at(-1)).toBe(CLEAR);
    const count = writes.length;
    vi.advanceTimersByTime(1000);
    expect(writes.length).toBe(count);
  });

  it('keeps the ticker to one line of the terminal', () => {
    const { writes, stream } = fakeStream(true);
    const p = createProgress({ stream });
    p.start(`${'x'.repeat(100)}: create`);
    expect(writes.at(-1)!.length).toBeLessThanOrEqual(60);
    expect(writes.at(-1)).toMatch(/…$/);
    p.stop();
  });
});
