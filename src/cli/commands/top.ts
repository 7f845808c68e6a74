import { println } from '../output.js';

/** `orch top` / `orch monit`: PM2's dashboards have no twin here; say where their parts are. */
export const top = async (): Promise<void> => {
  println('orch has no live dashboard (PM2 monit). Instead:');
  println('  orch status            every app and instance: state, uptime, restarts, cpu, memory, port');
  println('  watch -n 2 orch status the same, refreshed');
  println('  orch describe <app>    one app: its spec, its instances and its recent events');
  println('  orch logs -f [app]     its output as it comes');
};
