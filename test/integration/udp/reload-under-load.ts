// The UDP reload contract, one body for every mode: three rolling reloads under a steady datagram
// load answer at least 99 %, both instances answer, every generation is replaced and answered.
import { expect } from 'vitest';
import type { AppSpec } from '../../../src/config/desired.js';
import type { Harness } from '../supervisor/harness.js';
import { startDatagramLoad } from './datagram-load.js';

const live = (pids: readonly (number | undefined)[]): number[] => pids.filter((p): p is number => p !== undefined);

export const expectReloadsUnderLoad = async (h: Harness, spec: AppSpec & { port: number }): Promise<void> => {
  const { supervisor, pids } = h;
  expect(await supervisor.create(spec)).toEqual({ ok: true });
  const generations = [live(pids(spec.name))];
  const load = await startDatagramLoad(spec.port, 5);
  await load.answered(20);
  // Datagrams were on their way during every reload, not only around them.
  const sentDuring: number[] = [];
  for (let round = 1; round <= 3; round++) {
    const before = load.sent();
    expect(await supervisor.reload({ ...spec, env: { ROUND: String(round) } })).toEqual({ ok: true });
    sentDuring.push(load.sent() - before);
    generations.push(live(pids(spec.name)));
  }
  // The last generation answering too, before the count is taken.
  await load.answered(load.sent() + 20);
  const result = await load.stop();
  for (const n of sentDuring) expect(n).toBeGreaterThan(5);
  expect(result.share).toBeGreaterThanOrEqual(0.99);
  expect([...result.byInstance.keys()].sort()).toEqual(['0', '1']);
  for (let k = 1; k < generations.length; k++) {
    expect(generations[k]).toHaveLength(2);
    expect(generations[k]?.some((p) => generations[k - 1]?.includes(p))).toBe(false);
  }
  // Every generation answered: the replacements read the very socket the old ones did.
  for (const generation of generations) expect(generation.some((p) => result.pids.has(p))).toBe(true);
};
