import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { splitNodeArgv } from '../../../../src/supervisor/modes/cluster-argv.js';

describe('splitNodeArgv', () => {
  const cwd = '/srv/app';
  it.each([
    [['/usr/bin/node', 'server.js'], { node: '/usr/bin/node', execArgv: [], exec: '/srv/app/server.js', args: [] }],
    [['/usr/bin/node', '--enable-source-maps', '-r', 'dotenv/config', 'dist/main.js', '--port', '1'],
      { node: '/usr/bin/node', execArgv: ['--enable-source-maps', '-r', 'dotenv/config'], exec: '/srv/app/dist/main.js', args: ['--port', '1'] }],
    [['/usr/bin/node', '--max-old-space-size=512', '/abs/s.mjs'], { node: '/usr/bin/node', execArgv: ['--max-old-space-size=512'], exec: '/abs/s.mjs', args: [] }],
  ])('%j', (command, argv) => {
    expect(splitNodeArgv(command, cwd, '')).toEqual({ ok: true, argv });
  });

  const nodeDir = dirname(process.execPath);
  it('a bare script runs with the node found on PATH', () => {
    expect(splitNodeArgv(['server.cjs', 'a'], cwd, nodeDir)).toEqual({
      ok: true,
      argv: { node: join(nodeDir, 'node'), execArgv: [], exec: '/srv/app/server.cjs', args: ['a'] },
    });
  });

  it.each([
    [[], 'empty command'],
    [['python3', 'app.py'], "mode cluster runs Node scripts only, got 'python3'"],
    [['/usr/bin/node', '--inspect'], 'mode cluster needs a script to run: node [options] <script> [args]'],
  ])('rejects %j', (command, reason) => {
    expect(splitNodeArgv(command, cwd, '')).toEqual({ ok: false, reason });
  });

  it('finds a bare node on PATH', () => {
    expect(splitNodeArgv(['node', 's.js'], cwd, `/nonexistent:${nodeDir}`)).toMatchObject({ ok: true, argv: { node: join(nodeDir, 'node') } });
  });

  it("never falls back to the daemon's own node: a node not on PATH is not found, in fork mode's words", () => {
    expect(splitNodeArgv(['node', 's.js'], cwd, '/nonexistent')).toEqual({ ok: false, reason: 'command not found: node' });
    expect(splitNodeArgv(['s.js'], cwd, '/nonexistent')).toEqual({ ok: false, reason: 'command not found: node' });
  });
});
