// `orch init [script]`: a commented starter ecosystem.yaml in the current directory (SPEC §11),
// for `script` if given. Never overwrites an existing file without --force (exit 2).
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, extname, join, relative } from 'node:path';
import { stringify } from 'yaml';
import { OrchError } from '../../errors.js';
import { toAppName } from '../../import/pm2-values.js';
import { println } from '../output.js';
import { schemaPath } from '../schema-path.js';

const FILE = 'ecosystem.yaml';
const INTERPRETERS: Readonly<Record<string, string>> = { '.js': 'node', '.mjs': 'node', '.cjs': 'node', '.py': 'python3', '.sh': 'sh', '.rb': 'ruby' };
/** Runs with no script: stays up and says where to put the real command. */
const PLACEHOLDER = ['node', '-e', "console.log('orch: replace run: with your command'); setInterval(() => {}, 60000)"];

const scalar = (v: string): string => stringify(v, { lineWidth: 0 }).trimEnd();
// A JSON string is a YAML double-quoted scalar that stays on one line inside a flow list.
const runOf = (argv: readonly string[]): string =>
  argv.every((w) => /^[\w@%+=:,./-]+$/.test(w)) ? scalar(argv.join(' ')) : `[${argv.map((w) => JSON.stringify(w)).join(', ')}]`;

const starterFile = (opts: { dir: string; schema: string; script?: string; port?: number }): string => {
  const { script, port } = opts;
  const ext = script === undefined ? '' : extname(script).toLowerCase();
  const interpreter = INTERPRETERS[ext];
  const node = interpreter === 'node';
  const app = script === undefined ? 'app' : toAppName(basename(script, extname(script)));
  const project = toAppName(basename(opts.dir));
  const run = script === undefined ? PLACEHOLDER : interpreter === undefined ? [script] : [interpreter, script];
  const lines = [
    `# yaml-language-server: $schema=${opts.schema}`,
    '# A starter orch file. orch validate checks it, orch diff shows what apply would do,',
    '# orch apply runs it, orch status shows it, orch down stops it.',
    'version: 1',
    `name: ${scalar(project)}                 # the project: apply owns its apps, down stops them`,
    'apps:',
    `  ${app}:`,
    `    run: ${runOf(run)}${script === undefined ? '   # your command: a string split like a shell would, or a list' : ''}`,
  ];
  if (node && port !== undefined) {
    lines.push(
      "    # Cluster mode: Node's cluster module runs the instances as workers that all listen on",
      `    # port; 'orch reload ${app}' replaces them one at a time, without refusing a connection.`,
      '    mode: cluster',
      '    instances: 2                  # or "max": one per CPU',
      `    port: ${port}                    # the app listens on process.env.PORT`,
    );
  } else if (node) {
    lines.push(
      '    instances: 1',
      "    # Cluster-ready: with a port, Node's cluster module runs the instances as workers that",
      `    # share it, and 'orch reload ${app}' replaces them one at a time with no downtime:`,
      '    # mode: cluster',
      '    # instances: max              # one per CPU',
      '    # port: 3000                  # the app listens on process.env.PORT',
    );
  } else if (port !== undefined) {
    lines.push(
      '    instances: 1                  # fork mode: instance i gets PORT=port+i',
      `    port: ${port}`,
      '    # mode: socket                # orch binds port and hands it to every instance as fd 3 (LISTEN_FDS=1)',
    );
  } else {
    lines.push('    instances: 1', '    # port: 3000                  # fork mode: instance i gets PORT=port+i');
  }
  lines.push(
    '    # env: { NODE_ENV: production }',
    '    # env_file: .env              # dotenv, relative to this file; env wins over it',
    '    # restart: { policy: always, max_restarts: 10, window: 60s }',
    '    # shutdown: { signal: SIGTERM, timeout: 5s }',
    `    # ready: { type: ${port === undefined ? 'none, delay: 1s' : 'http, path: /healthz'} }`,
    '    # watch: { paths: [src], ignore: [node_modules] }   # orch apply --watch reloads on change',
    '    # max_memory: 512M',
    '',
  );
  return lines.join('\n');
};

export const init = async (script: string | undefined, opts: { port?: number; force?: boolean }): Promise<void> => {
  const dir = process.cwd();
  const path = join(dir, FILE);
  if (existsSync(path) && opts.force !== true) {
    throw new OrchError('ORCH_FILE_EXISTS', `${FILE} exists here: orch init does not overwrite it without --force`);
  }
  const schema = relative(dir, schemaPath());
  const text = starterFile({
    dir,
    schema: schema.startsWith('.') || schema.startsWith('/') ? schema : `./${schema}`,
    ...(script === undefined ? {} : { script }),
    ...(opts.port === undefined ? {} : { port: opts.port }),
  });
  await writeFile(path, text);
  println(`Wrote ${FILE}${script === undefined ? '' : ` for ${script}`}: orch validate, then orch apply.`);
  if (script !== undefined && !existsSync(join(dir, script))) println(`Note: ${script} does not exist yet; orch validate will say so until it does.`);
};
