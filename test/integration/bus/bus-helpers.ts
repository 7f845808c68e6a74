// Shared by the bus tests: an ecosystem file of the bus fixtures in a sandbox, the daemon's own
// view (status with its bus stats, its pid), and a test process that speaks on the bus as one of
// the instances (with the token orch gave it, read from /proc/<pid>/environ).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type Socket } from 'node:net';
import { expect } from 'vitest';
import { DaemonClient } from '../../../src/daemon/client.js';
import { homePaths } from '../../../src/daemon/paths.js';
import type { Methods } from '../../../src/daemon/protocol.js';
import { BusClient } from '../../../src/worker/bus-client.js';
import { repoRoot, type Sandbox } from '../../helpers/sandbox.js';
import { readStatus } from '../../helpers/status.js';

export const fixture = (name: string): string => join(repoRoot, 'test/fixtures/apps', name);

export const applyFile = async (sb: Sandbox, yaml: string, name = 'ecosystem.yaml'): Promise<void> => {
  sb.write(name, yaml);
  const r = await sb.orch(['apply', name], { timeout: 90_000 });
  expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
};

export const daemonStatus = async (sb: Sandbox): Promise<Methods['status'][1]> => {
  const client = await DaemonClient.connect(homePaths({ ORCH_HOME: sb.home }));
  try {
    return await client.request('status', {});
  } finally {
    client.close();
  }
};

export const daemonPid = (sb: Sandbox): number => Number(readFileSync(join(sb.home, 'daemon.pid'), 'utf8').trim().split(/\s+/)[0]);

/** VmRSS of a process, bytes. */
export const rssOf = (pid: number): number => {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (m === null) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) * 1024;
};

export const pidOf = async (sb: Sandbox, app: string, index = 0): Promise<number> => {
  const pid = (await readStatus(sb)).apps.find((a) => a.name === app)?.instances.find((i) => i.index === index)?.pid;
  if (pid === null || pid === undefined) throw new Error(`${app}#${index} has no pid`);
  return pid;
};

/** ORCH_BUS and ORCH_BUS_TOKEN as orch gave them to a running instance. */
export const busEnvOf = (pid: number): { path: string; token: string } => {
  const env = Object.fromEntries(
    readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .filter((kv) => kv.includes('='))
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
  const path = env.ORCH_BUS;
  const token = env.ORCH_BUS_TOKEN;
  if (path === undefined || token === undefined) throw new Error(`pid ${pid} has no ORCH_BUS / ORCH_BUS_TOKEN`);
  return { path, token };
};

/** A Node bus client speaking as the instance whose pid this is. */
export const clientAs = (pid: number): BusClient => {
  const { path, token } = busEnvOf(pid);
  return new BusClient(path, token);
};

/** A raw connection as that instance: frames written as given, frames read as parsed. */
export const rawAs = (pid: number): { socket: Socket; frames: Record<string, unknown>[]; write: (frame: unknown) => void } => {
  const { path, token } = busEnvOf(pid);
  const socket = connect(path);
  const frames: Record<string, unknown>[] = [];
  let partial = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) if (l !== '') frames.push(JSON.parse(l) as Record<string, unknown>);
  });
  socket.on('error', () => undefined);
  const write = (frame: unknown): void => void socket.write(`${typeof frame === 'string' ? frame : JSON.stringify(frame)}\n`);
  write({ type: 'hello', token });
  return { socket, frames, write };
};
