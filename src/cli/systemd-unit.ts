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

/**
 * What to type to install the printed unit (`orch startup` prints them after it): the unit goes
 * where systemd looks for its scope, then systemctl reloads and enables it. `sudo` for a system
 * unit when not root; `loginctl enable-linger` so a user unit starts at boot without a login.
 */
export const installCommands = (o: { readonly scope: 'user' | 'system'; readonly root: boolean; readonly user: string }): string[] => {
  if (o.scope === 'system') {
    const sudo = o.root ? '' : 'sudo ';
    return [
      '# To install it (or run: orch startup --system --install):',
      `orch startup --system | ${sudo}tee /etc/systemd/system/orch.service >/dev/null`,
      `${sudo}systemctl daemon-reload`,
      `${sudo}systemctl enable --now orch.service`,
    ];
  }
  return [
    '# To install it (or run: orch startup --user --install):',
    'mkdir -p ~/.config/systemd/user',
    'orch startup --user > ~/.config/systemd/user/orch.service',
    'systemctl --user daemon-reload',
    'systemctl --user enable --now orch.service',
    `loginctl enable-linger ${o.user}   # start it at boot, before ${o.user} logs in`,
  ];
};
