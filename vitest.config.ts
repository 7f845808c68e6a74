import { defineConfig } from 'vitest/config';

// The log-flood e2e test holds `orch status` to 1 s while two floods load both cores. It runs
// after the rest, alone: a test file running beside it would starve the status command's own
// node start-up, which is the machine's contention, not the daemon's.
const ALONE = ['test/e2e/logs.test.ts'];

export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        // Integration tests spawn real processes and bind real ports: two cores, so keep it modest.
        test: { name: 'suite', include: ['test/**/*.test.ts'], exclude: ALONE, maxWorkers: 2, sequence: { groupOrder: 0 } },
      },
      { extends: true, test: { name: 'alone', include: ALONE, maxWorkers: 1, sequence: { groupOrder: 1 } } },
    ],
  },
});
