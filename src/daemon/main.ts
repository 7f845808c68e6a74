// The daemon process: started detached by the CLI (or `orch daemon start`), one per ORCH_HOME.
import { unlinkSync } from 'node:fs';
import pino from 'pino';
import { Supervisor } from '../supervisor/supervisor.js';
import { createDaemon } from './daemon.js';
import { ensureHome } from './home.js';
import { acquireLock, releaseLock } from './lock.js';
import { homePaths } from './paths.js';
import { listen } from './server.js';
import { emptyState, readState } from './state-store.js';
import { VERSION } from '../version.js';

const main = async (): Promise<void> => {
  const paths = homePaths();
  ensureHome(paths);
  const logger = pino({ base: { pid: process.pid } }, pino.destination({ dest: paths.daemonLog, sync: false, mkdir: true }));

  const lock = acquireLock(paths.lock);
  if (!lock.acquired) {
    // Another daemon owns this ORCH_HOME; the CLI that started us will talk to it.
    logger.info({ holder: lock.holder }, 'daemon already running; exiting');
    logger.flush();
    return;
  }
  // We hold the lock, so any socket file left here belongs to a dead predecessor.
  try {
    unlinkSync(paths.socket);
  } catch {
    // none
  }

  const loaded = readState(paths.state);
  if (!loaded.ok) logger.error({ reason: loaded.reason }, 'state file unusable; starting empty');
  const supervisor = new Supervisor({ home: paths.home, logger });

  // Set once listening; `exit` may run before that (a signal during start-up).
  const control: { server?: Awaited<ReturnType<typeof listen>> } = {};
  const exit = () => {
    control.server?.close();
    try {
      unlinkSync(paths.socket);
    } catch {
      // already gone
    }
    releaseLock(paths.lock);
    logger.info('daemon stopped');
    logger.flush();
    process.exit(0);
  };

  const { handlers, resurrect } = createDaemon({
    supervisor,
    logger,
    statePath: paths.state,
    initialState: loaded.ok ? loaded.state : emptyState(),
    info: { version: VERSION, pid: process.pid, home: paths.home, startedAt: Date.now() },
    onShutdown: exit,
  });

  // An app must never take the daemon down: log what escaped and carry on.
  process.on('uncaughtException', (err) => logger.error({ err }, 'uncaught exception'));
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection'));
  process.on('SIGHUP', () => {});
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.on(sig, () => {
      logger.info({ signal: sig }, 'stopping apps and exiting');
      void supervisor.shutdown().finally(exit);
    });
  }

  void resurrect();
  control.server = await listen(paths.socket, handlers, logger);
  logger.info({ socket: paths.socket, version: VERSION }, 'daemon listening');
};

main().catch((e: unknown) => {
  process.stderr.write(`orch daemon: ${(e as Error).message}\n`);
  process.exit(1);
});
