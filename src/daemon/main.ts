// The daemon process: started detached by the CLI (or `orch daemon start`), one per ORCH_HOME.
import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { Supervisor } from '../supervisor/supervisor.js';
import { createDaemon } from './daemon.js';
import { startBus } from './bus.js';
import { busAppOf } from './bus-targets.js';
import { provideBusEnv } from '../supervisor/modes/spawn.js';
import { EventLog, EVENTS_PER_APP } from './events.js';
import { EventStore } from './event-store.js';
import { OrchMetrics } from './metrics.js';
import { metricsFromEnv } from './metrics-http.js';
import { readCpuSeconds } from '../process/cpu-time.js';
import { readRss } from '../process/memory.js';
import { ensureHome } from './home.js';
import { acquireLock, releaseLock } from './lock.js';
import { homePaths } from './paths.js';
import { ProcessRegistry, reap } from './process-registry.js';
import { listen } from './server.js';
import { emptyState, readState } from './state-store.js';
import { VERSION } from '../version.js';
import { DaemonLogFile } from '../logs/daemon-log.js';
import { closeInheritedFds } from '../process/inherited-fds.js';

const main = async (): Promise<void> => {
  // First, before any file of ours is open: what the starter left open is not ours to hold or pass on.
  closeInheritedFds();
  const paths = homePaths();
  ensureHome(paths);
  // A failed write to daemon.log (a full disk) is counted and retried, never logged (see daemon-log.ts).
  const logger = pino({ base: { pid: process.pid } }, new DaemonLogFile(paths.daemonLog));

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

  const warnings: string[] = [];
  const loaded = readState(paths.state);
  if (!loaded.ok) {
    warnings.push(`${loaded.reason}; starting with no apps`);
    logger.error({ reason: loaded.reason }, 'state file unusable; starting empty');
  } else if (loaded.warning !== undefined) {
    warnings.push(loaded.warning);
    logger.warn({ reason: loaded.warning }, 'state file damaged; using the previous good copy');
  }

  // Whatever a predecessor that died without stopping its apps left running is stopped first:
  // its apps' output pipes died with it, and they may hold the ports we are about to need.
  const registry = new ProcessRegistry(paths.processes);
  const reaped = await reap(registry.readPrevious());
  if (reaped.length > 0) logger.warn({ pids: reaped.map((r) => r.pid) }, 'reaped processes left by a previous daemon');
  await registry.flush();
  // The event log survives restarts in ORCH_HOME/events/; the metrics are computed on scrape (SPEC §12).
  const eventStore = new EventStore(`${paths.home}/events`, EVENTS_PER_APP, logger);
  const events = new EventLog(EVENTS_PER_APP, eventStore);
  for (const kept of eventStore.load().values()) events.restore(kept);
  const supervisor = new Supervisor({
    home: paths.home,
    logger,
    onSpawned: (pid) => registry.record(pid),
    onEvent: (e) => events.record(e),
    logs: {
      onOutage: (app, o) =>
        events.record(
          o.type === 'dropping'
            ? { time: Date.now(), app, instance: null, type: 'logs-dropping', reason: o.reason }
            : { time: Date.now(), app, instance: null, type: 'logs-resumed', droppedLines: o.droppedLines },
        ),
    },
  });
  const metrics = new OrchMetrics({
    apps: () => supervisor.apps(),
    projectOf: (app) => supervisor.app(app)?.spec.project,
    sample: async (pid) => {
      const [cpuSeconds, rssBytes] = await Promise.all([readCpuSeconds(pid), readRss(pid)]);
      return { cpuSeconds, rssBytes };
    },
  });
  events.subscribe((e) => metrics.observe(e));
  const metricsHttp = await metricsFromEnv(
    process.env,
    async () => ({ text: await metrics.text(), contentType: metrics.contentType }),
    (err) => logger.error({ err }, 'metrics request failed'),
  );
  if (metricsHttp.warning !== undefined) {
    warnings.push(metricsHttp.warning);
    logger.warn(metricsHttp.warning);
  } else if (metricsHttp.server !== undefined) {
    logger.info({ url: metricsHttp.server.url }, 'serving metrics');
  }

  // The message bus (SPEC §14): every instance of every mode finds it in ORCH_BUS.
  // Without it the apps still run: they get no ORCH_BUS and their send() says so.
  const bus = await startBus({ path: join(paths.home, 'bus.sock'), logger: logger.child({ component: 'bus' }), apps: () => supervisor.apps().map(busAppOf) }).catch(
    (err: unknown) => {
      warnings.push(`the message bus could not start (${(err as Error).message}): instances get no ORCH_BUS`);
      logger.error({ err }, 'message bus not started');
      return undefined;
    },
  );
  if (bus !== undefined) provideBusEnv((project, app, index) => bus.envFor(project, app, index));

  // Set once listening; `exit` may run before that (a signal during start-up).
  const control: { server?: Awaited<ReturnType<typeof listen>> } = {};
  const exit = () => {
    control.server?.close();
    bus?.close();
    void metricsHttp.server?.close();
    // The last events (the apps' exits) reach their files first, unless the disk hangs.
    const written = Promise.race([eventStore.settled(), new Promise((r) => setTimeout(r, 1000).unref())]);
    void written.finally(() => {
      releaseLock(paths.lock);
      logger.info('daemon stopped');
      logger.flush();
      process.exit(0);
    });
  };

  const { handlers, resurrect } = createDaemon({
    supervisor,
    logger,
    home: paths.home,
    statePath: paths.state,
    initialState: loaded.ok ? loaded.state : emptyState(),
    info: { version: VERSION, pid: process.pid, home: paths.home, startedAt: Date.now(), ...(metricsHttp.server ? { metricsUrl: metricsHttp.server.url } : {}) },
    warnings,
    onShutdown: exit,
    events,
    metrics,
    flushLogs: (app) => supervisor.flushLogs(app),
    ...(bus === undefined ? {} : { busStats: () => bus.stats() }),
  });

  // An app must never take the daemon down: log what escaped and carry on.
  process.on('uncaughtException', (err) => logger.error({ err }, 'uncaught exception'));
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection'));
  // SIGHUP: check the control socket now (it is also checked every second).
  process.on('SIGHUP', () => {
    control.server?.check();
    bus?.check();
  });
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
