// The systemd unit that starts the daemon at boot; the daemon then converges to the last applied
// state by itself (SPEC §7), which is PM2's `startup` + `resurrect` in one.
import { DAEMON_EXEC_ARGV } from '../daemon/exec-argv.js';

export interface UnitOptions {
  /** Absolute path of the node binary. */
  readonly node: string;
  /** Absolute path of dist/daemon.js. */
  readonly daemonEntry: string;
  readonly home: string;
  /** PATH for the daemon: apps inherit it through `orch apply` callers, but the daemon needs one to run. */
  readonly path: string;
  /** System units run as this user; user units run as their owner. */
  readonly user?: string;
  readonly scope: 'user' | 'system';
}

const quote = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `"${s.replace(/(["\\])/g, '\\$1')}"`);

export const systemdUnit = (o: UnitOptions): string =>
  [
    '[Unit]',
    `Description=orch process orchestrator daemon (ORCH_HOME=${o.home})`,
    'After=network.target',
    '',
    '[Service]',
    'Type=simple',
    ...(o.scope === 'system' && o.user !== undefined ? [`User=${o.user}`] : []),
    `Environment=${quote(`ORCH_HOME=${o.home}`)}`,
    `Environment=${quote(`PATH=${o.path}`)}`,
    `ExecStart=${[o.node, ...DAEMON_EXEC_ARGV, o.daemonEntry].map(quote).join(' ')}`,
    // SIGTERM to the daemon only: it stops its apps gracefully; whatever is left is killed after the timeout.
    'KillMode=mixed',
    'TimeoutStopSec=60',
    'Restart=on-failure',
    'RestartSec=1',
    '',
    '[Install]',
    `WantedBy=${o.scope === 'system' ? 'multi-user.target' : 'default.target'}`,
    '',
  ].join('\n');
