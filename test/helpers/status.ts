// `orch status --output json` as the e2e and fault tests read it.
import { expect } from 'vitest';
import type { Sandbox } from './sandbox.js';

/** The fields of SPEC's status JSON that tests read. */
export interface InstanceJson {
  readonly index: number;
  readonly pid: number | null;
  readonly state: string;
  readonly port: number | null;
  readonly reason: string | null;
}
export interface AppJson {
  readonly name: string;
  readonly project: string;
  readonly mode: string;
  readonly stopped: boolean;
  readonly generation: number | null;
  readonly dropped_lines: number;
  readonly instances: readonly InstanceJson[];
}
export interface StatusJson {
  readonly warnings: readonly string[];
  readonly apps: readonly AppJson[];
}

/** The daemon's status, asserting the command exits 0 (its stderr is the failure message). */
export const readStatus = async (sb: Sandbox, options: { timeout?: number } = {}): Promise<StatusJson> => {
  const r = await sb.orch(['status', '--output', 'json'], options);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as StatusJson;
};

/** An app's instance pids, sorted, so two snapshots compare with toEqual. */
export const pidsOf = (s: StatusJson, app: string): number[] =>
  (s.apps.find((a) => a.name === app)?.instances ?? []).map((i) => i.pid!).sort();
