// Build: generate the schema validator and the file's TypeScript types from
// schemas/ecosystem.schema.json (the single source of truth), then bundle the entry points
// with esbuild so the CLI starts without compiling or resolving hundreds of modules.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const generated = join(root, 'src/generated');
mkdirSync(generated, { recursive: true });

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const schema = JSON.parse(readFileSync(join(root, 'schemas/ecosystem.schema.json'), 'utf8'));

// Ajv compiled ahead of time ("standalone"): no schema compilation at run time, no ajv core loaded.
const { default: Ajv2020 } = await import('ajv/dist/2020.js');
const { default: standaloneCode } = await import('ajv/dist/standalone/index.js');
const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, code: { source: true } });
const validate = ajv.compile(schema);
writeIfChanged(join(generated, 'validate-ecosystem.cjs'), standaloneCode(ajv, validate));
writeIfChanged(
  join(generated, 'validate-ecosystem.d.cts'),
  `import type { ErrorObject } from 'ajv';\n` +
    `declare const validate: ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };\n` +
    `export = validate;\n`,
);

const { compile } = await import('json-schema-to-typescript');
const types = await compile(schema, 'EcosystemFile', {
  bannerComment: '// Generated from schemas/ecosystem.schema.json by scripts/build.mjs. Do not edit.',
  additionalProperties: false,
  style: { singleQuote: true },
});
writeIfChanged(join(generated, 'ecosystem-file.ts'), types);

// Two builds. Everything but the CLI entry is ESM with shared chunks. The CLI entry is one
// self-contained CommonJS file: `orch status` has a latency budget (half of `pm2 ls`), and
// Node's ESM loader plus a hop per chunk cost ~10 ms of a ~60 ms run. It loads the ESM program
// (dist/program.js, commander and every other command) with import() only when needed.
const entries = {
  program: 'src/cli/program.ts',
  daemon: 'src/daemon/main.ts',
  worker: 'src/worker/index.ts',
  'cluster-primary': 'src/supervisor/modes/cluster-primary.ts',
};
const cliEntry = 'src/cli/main.ts';
const dist = join(root, 'dist');
const common = {
  write: false,
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: false,
  // Less to read and parse at every CLI start.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  define: { __ORCH_VERSION__: JSON.stringify(pkg.version) },
};
const esm = await build({
  ...common,
  entryPoints: entries,
  outdir: dist,
  format: 'esm',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  // A native addon (optional dependency): loaded from node_modules at run time, never bundled.
  external: ['unix-dgram'],
  // CommonJS dependencies inside an ESM bundle still call require() and read __filename.
  banner: {
    js: [
      "import { createRequire as __orchCreateRequire } from 'node:module';",
      "import { fileURLToPath as __orchFileURLToPath } from 'node:url';",
      'const require = __orchCreateRequire(import.meta.url);',
      'const __filename = __orchFileURLToPath(import.meta.url);',
      "const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));",
    ].join(' '),
  },
});
const cli = await build({
  ...common,
  entryPoints: { cli: cliEntry },
  outdir: dist,
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  // The program is the ESM entry above, loaded at run time, not bundled in.
  external: ['./program.js'],
  // Sources are ESM and may read import.meta.url (to find dist/daemon.js).
  define: { ...common.define, 'import.meta.url': '__orchImportMetaUrl' },
  banner: { js: "'use strict'; const __orchImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
});
// Preloaded with --require into every cluster worker (before the app, CommonJS or ESM): one
// small CommonJS file next to dist/cluster-primary.js, which finds it there.
const preload = await build({
  ...common,
  entryPoints: { 'cluster-drain': 'src/worker/cluster-drain.ts' },
  outdir: dist,
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
});
// The web dashboard's page (SPEC §12): one browser bundle and its two static files in
// dist/dashboard/, read into memory by the daemon that serves them. No CDN: the page loads
// nothing that is not here.
const dashboardUi = await build({
  entryPoints: { 'dashboard/app': 'src/dashboard-ui/main.ts' },
  outdir: dist,
  write: false,
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'chrome111',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
const dashboardStatic = ['index.html', 'app.css'].map((name) => ({
  path: join(dist, 'dashboard', name),
  contents: readFileSync(join(root, 'src/dashboard-ui', name)),
}));
const outputFiles = [...esm.outputFiles, ...cli.outputFiles, ...preload.outputFiles, ...dashboardUi.outputFiles, ...dashboardStatic];

// The public `orch/worker` helper's types (package.json exports): one self-contained file, so a
// per-file declaration transpile is enough.
const { default: ts } = await import('typescript');
const workerTypes = ts.transpileDeclaration(readFileSync(join(root, entries.worker), 'utf8'), {
  fileName: 'index.ts',
  compilerOptions: { strict: true },
}).outputText;

// WARNING: tests, benches and a running daemon may read dist/ while another build runs (several
// engineers share one checkout): every file is replaced by an atomic rename, never deleted first.
// Stale hashed chunks are removed afterwards so they do not pile up.
const outputs = [...outputFiles.map((f) => [f.path, f.contents]), [join(dist, 'worker.d.ts'), workerTypes]];
for (const [path, contents] of outputs) {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, path);
}
const keep = new Set(outputs.map(([path]) => path));
const removeStale = (dir) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) removeStale(path);
    else if (!keep.has(path) && !entry.name.endsWith('.tmp')) rmSync(path, { force: true });
  }
};
removeStale(dist);

function writeIfChanged(path, text) {
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return;
  writeFileSync(path, text);
}
