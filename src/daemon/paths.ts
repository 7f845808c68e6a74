// Where one orch world lives. Two ORCH_HOMEs are two independent daemons (tests rely on it).
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { logDir } from '../logs/files.js';

export interface HomePaths {
  readonly home: string;
  readonly socket: string;
  readonly lock: string;
  readonly state: string;
  readonly processes: string;
  readonly daemonLog: string;
  readonly logs: string;
}

export const homePaths = (env: NodeJS.ProcessEnv = process.env): HomePaths => {
  const home = resolve(env.ORCH_HOME && env.ORCH_HOME !== '' ? env.ORCH_HOME : join(homedir(), '.orch'));
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
