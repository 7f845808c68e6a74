import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { installCommands, systemdUnit } from '../../../src/cli/systemd-unit.js';

const hasSystemdAnalyze = (() => {
  try {
    execFileSync('systemd-analyze', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('systemd unit', () => {
  const base = { node: process.execPath, daemonEntry: '/opt/orch/dist/daemon.js', home: '/home/ann/.orch', path: '/usr/bin:/bin' };

  it('a user unit runs the daemon in the foreground with ORCH_HOME and stops it gracefully', () => {
    const unit = systemdUnit({ ...base, scope: 'user' });
    expect(unit).toContain(`ExecStart=${process.execPath} --no-opt --max-semi-space-size=1 /opt/orch/dist/daemon.js`);
    expect(unit).toContain('Environment=ORCH_HOME=/home/ann/.orch');
    expect(unit).toContain('KillMode=mixed');
    expect(unit).toContain('WantedBy=default.target');
    expect(unit).not.toContain('User=');
  });

  it('a system unit names its user and starts with multi-user.target', () => {
    const unit = systemdUnit({ ...base, scope: 'system', user: 'ann' });
    expect(unit).toContain('User=ann');
    expect(unit).toContain('WantedBy=multi-user.target');
  });

  it('quotes paths with spaces', () => {
    expect(systemdUnit({ ...base, home: '/home/a b/.orch', scope: 'user' })).toContain('Environment="ORCH_HOME=/home/a b/.orch"');
  });

  it.skipIf(!hasSystemdAnalyze)('passes systemd-analyze verify', () => {
    const dir = mkdtempSync(join(tmpdir(), 'orch-unit-'));
    try {
      const entry = join(dir, 'daemon.js');
      writeFileSync(entry, '');
      const file = join(dir, 'orch.service');
      writeFileSync(file, systemdUnit({ ...base, daemonEntry: entry, scope: 'system', user: 'root' }));
      execFileSync('systemd-analyze', ['verify', file], { stdio: 'pipe' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('installCommands', () => {
  it('user units: the user directory, systemctl --user and enable-linger', () => {
    const lines = installCommands({ scope: 'user', root: false, user: 'ann' });
    expect(lines).toContain('systemctl --user daemon-reload');
    expect(lines).toContain('systemctl --user enable --now orch.service');
    expect(lines.some((l) => l.startsWith('loginctl enable-linger ann'))).toBe(true);
  });

  it('system units: sudo unless root', () => {
    expect(installCommands({ scope: 'system', root: false, user: 'ann' })).toContain('sudo systemctl enable --now orch.service');
    expect(installCommands({ scope: 'system', root: true, user: 'root' })).toContain('systemctl enable --now orch.service');
  });
});
