// A daemon connection reset under a client that lives on (orch top, logs -f, events -f): the
// pending request fails with ORCH_DAEMON_UNAVAILABLE, and the process does not crash on the
// reset (ECONNRESET reaches the line reader over the socket as well as the socket).
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { DaemonClient } from '../../src/daemon/client.js';
import { homePaths } from '../../src/daemon/paths.js';

let dir: string;
let server: Server | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'orch-reset-'));
});
afterEach(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('a reset connection rejects the pending request and throws nothing at the process', async () => {
  const paths = homePaths({ ORCH_HOME: dir });
  const accepted = new Promise<Socket>((resolve) => {
    // Never read: unread bytes in its queue when it closes make the kernel reset the client's end.
    server = createServer({ pauseOnConnect: true }, resolve);
  });
  await new Promise<void>((resolve) => server!.listen(paths.socket, resolve));
  const client = (await DaemonClient.tryConnect(paths, { shortMs: 5_000, longMs: 5_000 }))!;
  const uncaught: unknown[] = [];
  const onUncaught = (e: unknown): void => void uncaught.push(e);
  // vitest reports an uncaught error as a failure of its own: record it here instead, to say what it was.
  const listeners = process.listeners('uncaughtException');
  process.removeAllListeners('uncaughtException');
  process.on('uncaughtException', onUncaught);
  try {
    const pending = client.request('status', {});
    const socket = await accepted;
    await new Promise((r) => setTimeout(r, 50)); // the request's bytes are in the daemon's buffer
    socket.destroy();
    await expect(pending).rejects.toMatchObject({ code: 'ORCH_DAEMON_UNAVAILABLE' });
    await new Promise((r) => setTimeout(r, 100));
    expect(uncaught.map(String)).toEqual([]);
  } finally {
    process.off('uncaughtException', onUncaught);
    for (const l of listeners) process.on('uncaughtException', l);
    client.close();
  }
});
