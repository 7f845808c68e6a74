import { existsSync, readdirSync, readFileSync, watchFile, statSync, openSync, readSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { homePaths } from '../../daemon/paths.js';
import { OrchError } from '../../errors.js';
import { println } from '../output.js';

// Log lines start with an ISO timestamp, so merging several apps' files is a plain sort.
export const logs = async (app: string | undefined, opts: { follow?: boolean; lines: number }): Promise<void> => {
  const dir = homePaths().logs;
  const files = logFiles(dir, app);
  const tail = files
    .flatMap((f) => readFileSync(f, 'utf8').split('\n').filter((l) => l !== '').slice(-opts.lines))
    .sort()
    .slice(-opts.lines);
  for (const line of tail) println(line);
  if (!opts.follow) return;
  for (const f of files) follow(f);
  await new Promise(() => {}); // until Ctrl-C
};

const logFiles = (dir: string, app: string | undefined): string[] => {
  if (app !== undefined) {
    const f = join(dir, `${app}.log`);
    if (!existsSync(f)) throw new OrchError('ORCH_UNKNOWN_APP', `no logs for app '${app}' in ${dir}`);
    return [f];
  }
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.log')).map((f) => join(dir, f)) : [];
};

const follow = (file: string): void => {
  let offset = statSync(file).size;
  watchFile(file, { interval: 200 }, (cur) => {
    if (cur.size < offset) offset = 0; // rotated or truncated
    if (cur.size === offset) return;
    const fd = openSync(file, 'r');
    const buf = Buffer.alloc(cur.size - offset);
    readSync(fd, buf, 0, buf.length, offset);
    closeSync(fd);
    offset = cur.size;
    process.stdout.write(buf);
  });
};
