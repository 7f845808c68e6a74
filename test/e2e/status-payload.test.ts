// The daemon's `status` reply carries each app's summary, not its whole spec: the environment
// (the file's `env`, the caller's variables) is `describe`'s, so no secret crosses the socket for
// a status, and at 1,000 instances the reply stays small (it was ~270 KB, mostly specs).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DaemonClient } from '../../src/daemon/client.js';
import { homePaths } from '../../src/daemon/paths.js';
import { createSandbox, repoRoot, type Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
beforeEach(() => {
  sb = createSandbox();
});
afterEach(async () => {
  await sb.cleanup();
});

describe('the status reply', () => {
  it("names each app's project, mode, port and instances, and carries no environment", async () => {
    sb.write(
      'ecosystem.yaml',
      `version: 1\nname: shop\napps:\n  api:\n    run: [node, ${repoRoot}/test/fixtures/e2e/worker.js]\n    env: { API_TOKEN: s3cret-token-value }\n    ready: { type: none, delay: 0ms }\n`,
    );
    const applied = await sb.orch(['apply']);
    expect(applied.code, applied.stderr).toBe(0);
    const client = await DaemonClient.connect(homePaths({ ORCH_HOME: sb.home }));
    try {
      const reply = await client.request('status', {});
      expect(reply.apps.map((a) => a.spec)).toEqual([{ name: 'api', project: 'shop', mode: 'fork', protocol: 'tcp', reload: expect.any(Object), instances: 1 }]);
      expect(JSON.stringify(reply)).not.toContain('s3cret-token-value');
      // describe still has the whole spec.
      expect(JSON.stringify(await client.request('describe', { app: 'api' }))).toContain('s3cret-token-value');
    } finally {
      client.close();
    }
  });
});
