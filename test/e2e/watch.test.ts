// `orch apply --watch` through the built binary: a child process in the sandbox whose output is
// read line by line. Every wait is a poll with a deadline; the one deliberate pause (the ignored
// edit) is followed by a sentinel edit that proves the watcher was alive all along.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { freePortRange, httpGet } from '../helpers/ports.js';
import { orchBin, repoRoot } from '../helpers/sandbox.js';
import { sandboxPerTest } from '../helpers/sandbox-per-test.js';
import { pidsOf, readStatus } from '../helpers/status.js';
import { waitFor } from '../helpers/wait-for.js';

const worker = join(repoRoot, 'test/fixtures/e2e/worker.js');
const DEBOUNCE_MS = 150;

interface Watcher {
  readonly child: ChildProcess;
  readonly lines: string[];
  /** Resolves with the index of the first line at or after `from` matching `re`. */
  waitLine(re: RegExp, options?: { from?: number; timeout?: number }): Promise<number>;
  count(re: RegExp): number;
  exited: Promise<number | null>;
}

const sb = sandboxPerTest();
let watcher: Watcher | undefined;
// Registered after the sandbox's hooks, so it runs before its cleanup.
afterEach(async () => {
  if (watcher && watcher.child.exitCode === null && watcher.child.signalCode === null) {
    watcher.child.kill('SIGKILL');
    await watcher.exited;
  }
  watcher = undefined;
});

const startWatch = (): Watcher => {
  const child = spawn(process.execPath, [orchBin, 'apply', '--watch'], { cwd: sb.dir, env: sb.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) createInterface({ input: stream }).on('line', (l) => lines.push(l));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const w: Watcher = {
    child,
    lines,
    exited,
    waitLine: (re, { from = 0, timeout = 15_000 } = {}) =>
      waitFor(() => {
        const i = lines.findIndex((l, n) => n >= from && re.test(l));
        return i >= 0 ? i + 1 : undefined; // +1: 0 is falsy to waitFor
      }, { timeout, what: `a line matching ${re} (output so far:\n${lines.join('\n')}\n)` }).then((i) => i - 1),
    count: (re) => lines.filter((l) => re.test(l)).length,
  };
  watcher = w;
  return w;
};

// WARNING: a new connection per request. On a kept-alive connection a request can cross the old
// worker closing it while idle ("other side closed"), a client-side race no supervisor can hide.
const getOnNewConnection = (port: number): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false, headers: { connection: 'close' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });

const status = () => readStatus(sb);
const pidsNow = async (app: string): Promise<number[]> => pidsOf(await status(), app);

const appSource = (version: string) => `import { createServer } from 'node:http';
const VERSION = '${version}';
const server = createServer((req, res) => res.end(VERSION));
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

const webFile = (port: number, extra = '') => `version: 1
name: shop
apps:
  web:
    run: node src/app.mjs
    port: ${port}
    ready: { type: ${extra.includes('cluster') ? 'listening' : 'tcp'}, timeout: 10s }
${extra}    watch: { paths: [src], ignore: ['*.tmp', generated], debounce: ${DEBOUNCE_MS}ms }
`;

const workerFile = (instances: number, extra = '') => `version: 1
name: jobs
apps:
  worker:
    run: node ${worker}
    instances: ${instances}
    ready: { type: none, delay: 50ms }
${extra}`;

const RELOADING = /web: .* changed: reloading$/;
const RELOADED = /✓ web: restart done \(fork mode: a reload is a restart/;

const startWeb = async (): Promise<{ w: Watcher; port: number }> => {
  const port = await freePortRange(1);
  sb.write('src/app.mjs', appSource('v1'));
  sb.write('ecosystem.yaml', webFile(port));
  const w = startWatch();
  await w.waitLine(/watching web: src$/);
  await w.waitLine(/watching ecosystem\.yaml/);
  expect((await httpGet(port)).body).toBe('v1');
  return { w, port };
};

describe('orch apply --watch', () => {
  it('an edit under an app\'s watch paths reloads that app once, with new code; Ctrl-C exits 0 and leaves it running', async () => {
    const { w, port } = await startWeb();
    const before = await pidsNow('web');

    sb.write('src/app.mjs', appSource('v2'));
    const at = await w.waitLine(RELOADING);
    expect(w.lines[at]).toMatch(/web: src\/app\.mjs changed: reloading/);
    await w.waitLine(RELOADED, { from: at });
    expect((await httpGet(port)).body).toBe('v2');
    expect(await pidsNow('web')).not.toEqual(before);
    expect(w.count(RELOADING)).toBe(1);
    // The reason is logged by the daemon too, not only printed.
    const daemonLog = await waitFor(() => {
      const text = readFileSync(join(sb.home, 'daemon.log'), 'utf8');
      return text.includes('"reason":"src/app.mjs changed"') ? text : undefined;
    }, { what: 'the reload reason in daemon.log' });
    expect(daemonLog).toMatch(/"app":"web","reason":"src\/app\.mjs changed","msg":"reload"/);

    w.child.kill('SIGINT');
    expect(await w.exited).toBe(0);
    expect(w.lines.at(-1)).toMatch(/stopped watching; the apps keep running/);
    expect((await status()).apps.find((a) => a.name === 'web')?.instances.map((i) => i.state)).toEqual(['online']);
    expect((await httpGet(port)).body).toBe('v2');
  });

  it('a cluster-mode app reloads with zero failed requests under a request loop', async () => {
    const port = await freePortRange(1);
    sb.write('src/app.mjs', appSource('v1'));
    sb.write('ecosystem.yaml', webFile(port, '    mode: cluster\n    instances: 2\n'));
    const w = startWatch();
    await w.waitLine(/watching ecosystem\.yaml/);
    const before = await pidsNow('web');
    expect(before).toHaveLength(2);

    let stop = false;
    const bodies = new Map<string, number>();
    const failures: string[] = [];
    const loop = async () => {
      // Bounded: stops when told, or after 3000 requests whatever happens.
      for (let n = 0; !stop && n < 3000; n++) {
        try {
          const { status, body } = await getOnNewConnection(port);
          if (status !== 200) failures.push(`status ${status}`);
          bodies.set(body, (bodies.get(body) ?? 0) + 1);
        } catch (e) {
          failures.push(String(e));
        }
      }
    };
    const loops = Promise.all([loop(), loop(), loop(), loop()]);
    await waitFor(() => (bodies.get('v1') ?? 0) > 20, { what: 'the request loop running' });

    sb.write('src/app.mjs', appSource('v2'));
    const at = await w.waitLine(RELOADING);
    await w.waitLine(/✓ web: reload done$/, { from: at });
    await waitFor(() => (bodies.get('v2') ?? 0) > 20, { what: 'v2 served' });
    stop = true;
    await loops;

    expect(failures).toEqual([]);
    expect(w.count(RELOADING)).toBe(1);
    expect(w.count(/fork mode/)).toBe(0);
    const after = await pidsNow('web');
    expect(after).toHaveLength(2);
    expect(after.filter((p) => before.includes(p))).toEqual([]);
  });

  it('200 writes within 100 ms are one reload', async () => {
    const { w, port } = await startWeb();
    const sources = Array.from({ length: 200 }, (_, i) => Buffer.from(appSource(`burst-${String(i).padStart(3, '0')}`)));
    const fd = openSync(join(sb.dir, 'src/app.mjs'), 'r+');
    const started = performance.now();
    try {
      // Same-length contents rewritten in place: 200 real writes, each one a change event.
      for (const source of sources) writeSync(fd, source, 0, source.length, 0);
    } finally {
      closeSync(fd);
    }
    expect(performance.now() - started).toBeLessThan(100);

    const first = await w.waitLine(RELOADING);
    await w.waitLine(RELOADED, { from: first });
    expect((await httpGet(port)).body).toBe('burst-199');

    // A later edit makes the next reload: had the burst been split, a second one would come first.
    sb.write('src/sentinel.mjs', 'export {};\n');
    const next = await w.waitLine(RELOADING, { from: first + 1 });
    expect(w.lines[next]).toMatch(/web: src\/sentinel\.mjs changed: reloading/);
    await w.waitLine(RELOADED, { from: next });
    expect(w.count(RELOADING)).toBe(2);
  });

  it('edits in ignored paths reload nothing', async () => {
    const { w } = await startWeb();
    const before = await pidsNow('web');
    sb.write('src/build.tmp', 'x');
    sb.write('src/generated/out.js', 'x');
    sb.write('src/node_modules/dep/index.js', 'x');
    sb.write('src/.git/HEAD', 'x');
    sb.write('other/app.mjs', 'x');
    // Long enough for a debounced reload to have started, had any of them been seen.
    await new Promise((r) => setTimeout(r, 2 * DEBOUNCE_MS + 100));
    expect(w.count(RELOADING)).toBe(0);
    expect(await pidsNow('web')).toEqual(before);

    sb.write('src/sentinel.mjs', 'export {};\n');
    const at = await w.waitLine(RELOADING);
    expect(w.lines[at]).toMatch(/web: src\/sentinel\.mjs changed: reloading$/);
    await w.waitLine(RELOADED, { from: at });
    expect(w.count(RELOADING)).toBe(1);
  });

  it('a save of the ecosystem file is applied: instances 2 → 4, then a rename-over save 4 → 3', async () => {
    sb.write('ecosystem.yaml', workerFile(2));
    const w = startWatch();
    await w.waitLine(/watching ecosystem\.yaml/);
    expect(await pidsNow('worker')).toHaveLength(2);
    const original = await pidsNow('worker');

    sb.write('ecosystem.yaml', workerFile(4));
    const changed = await w.waitLine(/ecosystem\.yaml changed: applying/);
    await w.waitLine(/scale 2 → 4/, { from: changed });
    await w.waitLine(/Applied jobs \(generation 2\)/, { from: changed });
    const scaled = await pidsNow('worker');
    expect(scaled).toHaveLength(4);
    expect(scaled).toEqual(expect.arrayContaining(original));

    // vim / IDE / git checkout: a new file renamed over the old one.
    writeFileSync(join(sb.dir, '.ecosystem.yaml.swp'), workerFile(3));
    renameSync(join(sb.dir, '.ecosystem.yaml.swp'), join(sb.dir, 'ecosystem.yaml'));
    const renamed = await w.waitLine(/ecosystem\.yaml changed: applying/, { from: changed + 1 });
    await w.waitLine(/Applied jobs \(generation 3\)/, { from: renamed });
    expect(await pidsNow('worker')).toHaveLength(3);
  });

  it('an invalid save prints every error and changes nothing; fixing it applies', async () => {
    sb.write('ecosystem.yaml', workerFile(2));
    const w = startWatch();
    await w.waitLine(/watching ecosystem\.yaml/);
    const before = await pidsNow('worker');

    sb.write('ecosystem.yaml', workerFile(-1, '    restart: { policy: sometimes }\n'));
    const invalid = await w.waitLine(/ecosystem\.yaml is invalid \(2 errors\): still watching/);
    const errors = w.lines.slice(0, invalid).filter((l) => /ecosystem\.yaml:\d+:\d+: apps\.worker\./.test(l));
    expect(errors).toHaveLength(2);
    expect(errors.join('\n')).toMatch(/apps\.worker\.instances/);
    expect(errors.join('\n')).toMatch(/apps\.worker\.restart\.policy/);
    expect(await pidsNow('worker')).toEqual(before);

    sb.write('ecosystem.yaml', workerFile(3));
    await w.waitLine(/Applied jobs \(generation 2\)/, { from: invalid });
    const after = await pidsNow('worker');
    expect(after).toHaveLength(3);
    expect(after).toEqual(expect.arrayContaining(before));
  });
});
