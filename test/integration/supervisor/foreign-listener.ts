// A process nobody here wrote holding a port: python3's http.server (node's net server where
// python3 is missing), in its own process group, killed by `stop()`.
import { spawn, spawnSync } from 'node:child_process';
import { findPortHolders } from '../../../src/process/port-holders.js';
import { waitFor } from '../../helpers/wait-for.js';

const hasPython = spawnSync('python3', ['--version']).status === 0;

export interface ForeignListener {
  readonly pid: number;
  /** As /proc/<pid>/comm names it. */
  readonly command: 'python3' | 'node';
  stop(): void;
}

export const startForeignListener = async (port: number): Promise<ForeignListener> => {
  const [file, args, command] = hasPython
    ? (['python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1'], 'python3'] as const)
    : ([process.execPath, ['-e', `require('node:net').createServer().listen(${port}, '127.0.0.1')`], 'node'] as const);
  const child = spawn(file, args, { detached: true, stdio: 'ignore' });
  const pid = child.pid!;
  const stop = (): void => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  try {
    await waitFor(() => findPortHolders([port]).get(port)?.pids.includes(pid), { what: `${command} listening on ${port}` });
  } catch (e) {
    stop();
    throw e;
  }
  return { pid, command, stop };
};
