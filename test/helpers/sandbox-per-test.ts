// The e2e files' common setup: a fresh sandbox for every test, cleaned up after it, pass or fail.
import { afterEach, beforeEach } from 'vitest';
import { createSandbox, type Sandbox } from './sandbox.js';

/**
 * Registers the hooks and returns a stand-in that reads from the current test's sandbox.
 * WARNING: read it inside tests and hooks only: at a file's top level there is no sandbox yet.
 * Hooks a file registers after calling this run before the cleanup (vitest runs after-hooks as a
 * stack), so a file can stop what it started itself before its sandbox goes.
 */
export const sandboxPerTest = (): Sandbox => {
  let current: Sandbox | undefined;
  beforeEach(() => {
    current = createSandbox();
  });
  afterEach(async () => {
    const done = current;
    current = undefined;
    await done?.cleanup();
  });
  return new Proxy({} as Sandbox, {
    get(_target, key) {
      if (current === undefined) throw new Error(`sandboxPerTest: no sandbox outside a test (reading ${String(key)})`);
      return current[key as keyof Sandbox];
    },
  });
};
