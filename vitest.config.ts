import { defineConfig } from 'vitest/config';

// Tests that hold a latency bound run after the rest, alone: the log-flood e2e test (`orch
// status` within 1 s while two floods load both cores) and the history fault test (the daemon
// answers status within 100 ms while 1,000 generations are listed). A test file running beside
// them would measure the machine's contention, not the daemon's.
const ALONE = ['test/e2e/logs.test.ts', 'test/faults/history.test.ts'];

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
