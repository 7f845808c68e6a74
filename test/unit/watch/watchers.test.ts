// The chokidar wrappers on a real temp directory: a save by rename-over is still seen, and
// ignored paths report nothing (proved by a later sentinel event, not by a sleep).
import { mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIN_DEBOUNCE_MS, watchFile, watchPaths, type Watching } from '../../../src/watch/watchers.js';
import { waitFor } from '../../helpers/wait-for.js';

let dir: string;
let watching: Watching[] = [];
beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'orch-watch-')));
});
afterEach(async () => {
  await Promise.all(watching.map((w) => w.close()));
  watching = [];
  rmSync(dir, { recursive: true, force: true });
});

const fail = (e: Error) => {
  throw e;
};

describe('watchFile', () => {
  it('sees rename-over saves (vim, IDEs, git checkout) and plain writes, and ignores its siblings', async () => {
    const file = join(dir, 'ecosystem.yaml');
    writeFileSync(file, 'a');
    let changes = 0;
    const w = watchFile(file, () => changes++, fail);
    watching.push(w);
    await w.ready;

    const saves = [
      () => {
        writeFileSync(join(dir, '.ecosystem.yaml.swp'), 'b');
        renameSync(join(dir, '.ecosystem.yaml.swp'), file);
      },
      () => writeFileSync(file, 'c'),
      () => {
        writeFileSync(join(dir, 'ecosystem.yaml~'), 'dd');
        renameSync(join(dir, 'ecosystem.yaml~'), file);
      },
    ];
    for (const [i, save] of saves.entries()) {
      writeFileSync(join(dir, 'other.yaml'), String(i));
      save();
      await waitFor(() => changes === i + 1, { what: `save #${i + 1}` });
      // Not a sync: chokidar drops a second change of a path within 50 ms (see MIN_DEBOUNCE_MS),
      // and these are meant as separate saves.
      await new Promise((r) => setTimeout(r, MIN_DEBOUNCE_MS));
    }
    expect(changes).toBe(saves.length);
  });
});

describe('watchPaths', () => {
  it('reports changes under the paths, nothing from ignored ones or excluded files', async () => {
    mkdirSync(join(dir, 'src/node_modules'), { recursive: true });
    mkdirSync(join(dir, 'src/gen'), { recursive: true });
    const seen: string[] = [];
    const w = watchPaths(
      { paths: [join(dir, 'src')], ignore: ['*.tmp', 'gen'], exclude: [join(dir, 'src/ecosystem.yaml')] },
      (p) => seen.push(p),
      fail,
    );
    watching.push(w);
    await w.ready;

    writeFileSync(join(dir, 'src/node_modules/x.js'), '1');
    writeFileSync(join(dir, 'src/gen/x.js'), '1');
    writeFileSync(join(dir, 'src/a.tmp'), '1');
    writeFileSync(join(dir, 'src/ecosystem.yaml'), '1');
    writeFileSync(join(dir, 'outside.js'), '1');
    writeFileSync(join(dir, 'src/app.js'), '1');
    await waitFor(() => seen.includes(join(dir, 'src/app.js')), { what: 'the sentinel write' });
    // Events arrive in order of the writes: anything ignored-but-reported would already be here.
    writeFileSync(join(dir, 'src/app2.js'), '1');
    await waitFor(() => seen.includes(join(dir, 'src/app2.js')), { what: 'a second sentinel' });
    expect(seen).toEqual([join(dir, 'src/app.js'), join(dir, 'src/app2.js')]);
  });
});
