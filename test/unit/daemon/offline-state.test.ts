import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DesiredState } from '../../../src/config/desired.js';
import { removeProjectWithoutDaemon } from '../../../src/daemon/offline-state.js';
import { homePaths, type HomePaths } from '../../../src/daemon/paths.js';
import { processStartTicks } from '../../../src/process/proc-stat.js';
import type { PersistedState } from '../../../src/daemon/state-store.js';
import { readState, writeState } from '../../../src/daemon/state-store.js';

let dir: string;
let paths: HomePaths;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'orch-offline-'));
  paths = homePaths({ ORCH_HOME: join(dir, 'home') });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const desired = (project: string, apps: string[]) => ({ project, file: `/${project}.yaml`, hash: 'h', apps: apps.map((name) => ({ name })) }) as unknown as DesiredState;
const persisted: PersistedState = {
  version: 1,
  projects: { shop: desired('shop', ['web', 'mailer']), blog: desired('blog', ['posts']) },
  stopped: ['mailer'],
  generations: { shop: 2, blog: 1 },
  nextGeneration: 3,
};
const persist = async () => {
  mkdirSync(paths.home, { recursive: true });
  await writeState(paths.state, persisted, persisted);
};

describe('removeProjectWithoutDaemon', () => {
  it('removes the project from the state under the lock, and releases the lock', async () => {
    await persist();
    expect(await removeProjectWithoutDaemon(paths, 'shop')).toEqual({ kind: 'removed', apps: ['mailer', 'web'] });
    const after = readState(paths.state);
    expect(after.ok && after.state).toEqual({ ...persisted, projects: { blog: persisted.projects.blog }, stopped: [], generations: { blog: 1 } });
    expect(existsSync(paths.lock)).toBe(false);
  });

  it('a project not in the state is absent, and no ORCH_HOME is created for it', async () => {
    expect(await removeProjectWithoutDaemon(paths, 'shop')).toEqual({ kind: 'absent' });
    expect(existsSync(paths.home)).toBe(false);
    await persist();
    expect(await removeProjectWithoutDaemon(paths, 'nope')).toEqual({ kind: 'absent' });
  });

  it('a live daemon holding the lock is left to do it, and the state is not touched', async () => {
    await persist();
    writeFileSync(paths.lock, `${process.pid} ${processStartTicks(process.pid)}`);
    expect(await removeProjectWithoutDaemon(paths, 'shop')).toEqual({ kind: 'daemon-running' });
    const after = readState(paths.state);
    expect(after.ok && after.state).toEqual(persisted);
    expect(existsSync(paths.lock)).toBe(true);
  });
});
