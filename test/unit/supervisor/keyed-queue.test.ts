import { describe, expect, it } from 'vitest';
import { KeyedQueue } from '../../../src/supervisor/keyed-queue.js';

describe('KeyedQueue', () => {
  it('runs tasks of one key in order, even after a failure, and other keys alongside', async () => {
    const q = new KeyedQueue();
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const a1 = q.run('a', async () => {
      await gate;
      log.push('a1');
      throw new Error('a1 failed');
    });
    const a2 = q.run('a', async () => void log.push('a2'));
    await q.run('b', async () => void log.push('b1'));
    release();
    await expect(a1).rejects.toThrow('a1 failed');
    await a2;
    expect(log).toEqual(['b1', 'a1', 'a2']);
  });
});
