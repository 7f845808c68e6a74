import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { daemonEntryPath } from '../../daemon/client.js';
import { homePaths } from '../../daemon/paths.js';
import { OrchError } from '../../errors.js';
import { eprintln, println } from '../output.js';
import { installCommands, systemdUnit } from '../systemd-unit.js';

/**
 * `orch startup [--system|--user] [--install]`: print the systemd unit for the daemon on stdout and
 * the commands that install it on stderr (so `orch startup > file` is the unit alone), or install
 * and enable it. A system unit for root, a user unit for anyone else, unless told.
 */
export const startup = async (opts: { system?: boolean; user?: boolean; install?: boolean }): Promise<void> => {
  const root = process.getuid?.() === 0;
  const scope = opts.system === true || (opts.user !== true && root) ? 'system' : 'user';
  const unit = systemdUnit({
    node: process.execPath,
    daemonEntry: daemonEntryPath(),
    home: homePaths().home,
    path: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    user: userInfo().username,
    scope,
  });
  if (!opts.install) {
    process.stdout.write(unit);
    eprintln(installCommands({ scope, root, user: userInfo().username }).join('\n'));
    return;
  }
  const dir = scope === 'system' ? '/etc/systemd/system' : join(homedir(), '.config/systemd/user');
  const file = join(dir, 'orch.service');
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, unit);
  } catch (e) {
    throw new OrchError('ORCH_USAGE', `cannot write ${file}: ${(e as Error).message}${scope === 'system' ? ' (system units need root)' : ''}`);
  }
  println(`Wrote ${file}.`);
  const systemctl = scope === 'system' ? ['systemctl'] : ['systemctl', '--user'];
  try {
    execFileSync(systemctl[0]!, [...systemctl.slice(1), 'daemon-reload'], { stdio: 'ignore' });
    execFileSync(systemctl[0]!, [...systemctl.slice(1), 'enable', 'orch.service'], { stdio: 'ignore' });
    println(`Enabled orch.service: the daemon starts at boot and brings back the last applied apps.`);
    if (scope === 'user') println(`For a user unit to start at boot without a login, run: loginctl enable-linger ${userInfo().username}`);
  } catch {
    println(`systemctl is not available here: run '${systemctl.join(' ')} daemon-reload && ${systemctl.join(' ')} enable --now orch.service' where systemd runs.`);
  }
};
