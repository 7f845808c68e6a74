// The page's files (built by scripts/build.mjs into dist/dashboard/), read once into memory when
// the dashboard first opens: no CDN, nothing fetched from anywhere but the daemon.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

const FILES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

/**
 * dist/dashboard/ as seen from this module: dist/daemon.js (or a chunk under dist/chunks/) when
 * bundled, src/daemon/dashboard/ when run from source by a test.
 */
export const findAssetsDir = (from = dirname(fileURLToPath(import.meta.url))): string | undefined => {
  for (let dir = from, up = 0; up < 5; up++, dir = dirname(dir)) {
    for (const candidate of [join(dir, 'dashboard'), join(dir, 'dist', 'dashboard')]) {
      if (existsSync(join(candidate, 'index.html'))) return candidate;
    }
  }
  return undefined;
};

/** Path ('/app.js') → asset; '/' is index.html. */
export const loadAssets = (dir: string): ReadonlyMap<string, Asset> => {
  const assets = new Map<string, Asset>();
  for (const [name, type] of Object.entries(FILES)) {
    const asset = { type, body: readFileSync(join(dir, name)) };
    assets.set(`/${name}`, asset);
    if (name === 'index.html') assets.set('/', asset);
  }
  return assets;
};
