// Where one orch world lives. Two ORCH_HOMEs are two independent daemons (tests rely on it).
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { logDir } from '../logs/files.js';
import { checkHome } from './home.js';

export interface HomePaths {
  readonly home: string;
  readonly socket: string;
  readonly lock: string;
  readonly state: string;
  readonly processes: string;
  readonly daemonLog: string;
  readonly logs: string;
}

/**
 * Every command and the daemon find their ORCH_HOME here, so this is where it is checked (one
 * `lstat`): throws ORCH_HOME_UNUSABLE for a symlink, a non-directory or another user's directory.
 * It creates nothing (see `ensureHome`).
 */
export const homePaths = (env: NodeJS.ProcessEnv = process.env): HomePaths => {
  const home = resolve(env.ORCH_HOME && env.ORCH_HOME !== '' ? env.ORCH_HOME : join(homedir(), '.orch'));
  checkHome(home);
  return {
    home,
    socket: join(home, 'orch.sock'),
    lock: join(home, 'daemon.pid'),
    state: join(home, 'state.json'),
    processes: join(home, 'processes.json'),
    daemonLog: join(home, 'daemon.log'),
    logs: logDir(home),
  };
};
