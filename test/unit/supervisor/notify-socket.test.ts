import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NotifySockets, parseNotify } from '../../../src/supervisor/notify-socket.js';

describe('parseNotify', () => {
  it.each([
    ['READY=1', { READY: '1' }],
    ['STATUS=warming up\nREADY=1', { STATUS: 'warming up', READY: '1' }],
    ['READY=1\n', { READY: '1' }],
    ['STATUS=a=b', { STATUS: 'a=b' }],
    ['READY=0\nREADY=1', { READY: '1' }],
    ['garbage\n=1\n', {}],
    ['', {}],
  ])('%j', (text, expected) => {
    expect(Object.fromEntries(parseNotify(text))).toEqual(expected);
  });
});

describe('NotifySockets', () => {
  it('refuses a socket path the kernel would truncate, naming the fix', () => {
    const dir = mkdtempSync(join(tmpdir(), 'orch-notify-'));
    try {
      const opened = new NotifySockets(join(dir, 'x'.repeat(120))).open();
      expect(opened).toEqual({ ok: false, reason: expect.stringMatching(/longer than 107 bytes: use a shorter ORCH_HOME$/) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('binds a socket file that only its owner can reach, and removes it on close', () => {
    const dir = mkdtempSync(join(tmpdir(), 'orch-notify-'));
    try {
      const opened = new NotifySockets(join(dir, 'notify')).open();
      if (!opened.ok) throw new Error(opened.reason);
      expect(statSync(join(dir, 'notify')).mode & 0o777).toBe(0o700);
      expect(statSync(opened.socket.path).isSocket()).toBe(true);
      opened.socket.close();
      expect(existsSync(opened.socket.path)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
