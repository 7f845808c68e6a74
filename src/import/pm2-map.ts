// A PM2 ecosystem (the evaluated object) as an orch ecosystem document, with a fidelity row for
// every key of the input: mapped, approximated (how) or dropped (why). Pure: the file was read
// and evaluated at the edge (read-pm2-file.ts), facts about the host come in through `probe`.
// PM2's semantics are from its own source (PM2 6: lib/Common.js, lib/God.js, lib/API/schema.json).
import { isAbsolute, relative, resolve } from 'node:path';
import { type Fidelity, canonicalKey, pm2Key } from './pm2-keys.js';
import { type RunProbe, pm2Run } from './pm2-run.js';
import { APP_NAME, durationMs, literal, toAppName, toDuration, toSize, toWords } from './pm2-values.js';

export interface FidelityRow {
  /** The orch app name ('-' for keys of the file itself, like `deploy`). */
  readonly app: string;
  /** The key as written in the PM2 file (`env_production`, `interpreter`, `env.PORT`). */
  readonly key: string;
  readonly status: Fidelity;
  /** Where it went in the orch file (`apps.api.restart.policy`). */
  readonly to?: string;
  readonly note: string;
}

/** A YAML comment for the key at `path` of the document. */
export interface DocComment {
  readonly path: readonly string[];
  readonly text: string;
}

export interface OrchDocument {
  version: 1;
  name?: string;
  apps: Record<string, Record<string, unknown>>;
}

export interface Pm2MapOptions extends RunProbe {
  /** `--env NAME`: PM2's `env_NAME` block is merged over `env`. */
  readonly envName?: string;
  /** CPUs of this machine (PM2's negative `instances` count from it). */
  readonly cpus: number;
  /** Absolute directory of the PM2 file: PM2 resolves `cwd` from where `pm2 start` runs, taken as this. */
  readonly pm2Dir: string;
  /** Absolute directory of the orch file written: its `cwd`s are relative to it. */
  readonly outDir: string;
}

export type Pm2MapResult =
  | { readonly ok: true; readonly document: OrchDocument; readonly comments: readonly DocComment[]; readonly fidelity: readonly FidelityRow[] }
  | { readonly ok: false; readonly message: string };

type Pm2App = Readonly<Record<string, unknown>>;
const isObject = (v: unknown): v is Pm2App => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The order keys are written in, as in the README's tour of the file. */
const ORDER = ['run', 'shell', 'cwd', 'instances', 'mode', 'port', 'env', 'env_file', 'restart', 'shutdown', 'ready', 'watch', 'max_memory'];

const FILE_KEYS: Readonly<Record<string, string>> = {
  deploy: pm2Key('deploy')?.note ?? '',
  static: "PM2's static file server (pm2 serve): run a static server as an app",
};

export const mapPm2 = (input: unknown, options: Pm2MapOptions): Pm2MapResult => {
  const rows: FidelityRow[] = [];
  let apps: unknown;
  if (Array.isArray(input)) {
    apps = input;
  } else if (isObject(input) && ('apps' in input || 'pm2' in input)) {
    apps = input.apps ?? input.pm2;
    for (const key of Object.keys(input)) {
      if (key === 'apps' || key === 'pm2') continue;
      rows.push({ app: '-', key, status: 'dropped', note: FILE_KEYS[key] ?? 'not a key of a PM2 file (PM2 ignores it)' });
    }
  } else if (isObject(input) && 'script' in input) {
    apps = [input];
  } else {
    return { ok: false, message: 'not a PM2 ecosystem: expected { apps: [...] }, a list of apps, or one app with a script' };
  }
  const list = Array.isArray(apps) ? apps : [apps];
  const appsOut: Record<string, Record<string, unknown>> = {};
  const comments: DocComment[] = [];
  const namespaces: (string | undefined)[] = [];
  for (const [i, app] of list.entries()) {
    if (!isObject(app)) return { ok: false, message: `apps[${i}] is not an object` };
    const mapped = mapApp(app, i, options, new Set(Object.keys(appsOut)));
    if (!mapped.ok) return mapped;
    appsOut[mapped.name] = mapped.app;
    rows.push(...mapped.rows);
    comments.push(...mapped.comments);
    namespaces.push(typeof app.namespace === 'string' ? app.namespace : undefined);
  }
  if (list.length === 0) return { ok: false, message: 'the PM2 file declares no apps' };
  const project = projectOf(namespaces);
  const document: OrchDocument = { version: 1, ...(project === undefined ? {} : { name: project }), apps: appsOut };
  for (const [k, row] of rows.entries()) {
    if (row.key !== 'namespace') continue;
    rows[k] =
      project === undefined
        ? { ...row, status: 'dropped', note: "orch's project is one per file and these apps' namespaces differ (or some have none): split the file" }
        : { ...row, to: 'name', note: `every app is in namespace '${project}': the project's name (one per orch file)` };
  }
  if (project !== undefined) comments.push({ path: ['name'], text: "PM2's namespace: orch's project is one per file" });
  return { ok: true, document, comments, fidelity: rows };
};

const projectOf = (namespaces: readonly (string | undefined)[]): string | undefined => {
  const first = namespaces[0];
  if (first === undefined || namespaces.some((n) => n !== first)) return undefined;
  const name = toAppName(first);
  return APP_NAME.test(name) ? name : undefined;
};

type AppResult =
  | { readonly ok: true; readonly name: string; readonly app: Record<string, unknown>; readonly rows: FidelityRow[]; readonly comments: DocComment[] }
  | { readonly ok: false; readonly message: string };

/** What PM2 makes of `instances` (lib/Common.js verifyConfs): 'max' is 0, a string its parseInt or 0. */
const pm2Instances = (v: unknown): number | undefined => {
  if (v === 'max') return 0;
  if (typeof v === 'string') return Number.parseInt(v, 10) || 0;
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
};

const envValue = (v: unknown): string | number | boolean | undefined => {
  if (typeof v === 'string') return literal(v);
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  // PM2 stringifies objects (Common.mergeEnvironmentVariables); null and undefined pass nothing.
  return v === null || v === undefined ? undefined : literal(JSON.stringify(v));
};

const mapApp = (app: Pm2App, index: number, options: Pm2MapOptions, taken: ReadonlySet<string>): AppResult => {
  /** Written key → consumed (has a row). */
  const used = new Set<string>();
  /** The first written name of a canonical key (or its aliases). */
  const written = (key: string): string | undefined => Object.keys(app).find((k) => canonicalKey(k) === key);
  const get = (key: string): unknown => {
    const k = written(key);
    return k === undefined ? undefined : app[k];
  };
  const scriptKey = written('script');
  const script = scriptKey === undefined ? undefined : app[scriptKey];
  if (typeof script !== 'string' || script === '') {
    return { ok: false, message: `apps[${index}]${typeof app.name === 'string' ? ` (${app.name})` : ''} has no script: PM2 refuses it too` };
  }

  // The name: PM2's, or the script's base name without its extension (Common.renderApplicationName).
  const pm2Name = typeof app.name === 'string' && app.name !== '' ? app.name : (script.split('/').pop() ?? script).replace(/(.)\.[^.]*$/, '$1');
  let name = toAppName(pm2Name);
  for (let n = 2; taken.has(name); n++) name = `${toAppName(pm2Name).slice(0, 60)}-${n}`;
  const out: Record<string, unknown> = {};
  const rows: FidelityRow[] = [];
  const comments: DocComment[] = [];
  const at = (to: string): string => `apps.${name}.${to}`;
  const row = (key: string | undefined, status: Fidelity, to: string | undefined, note: string): void => {
    if (key === undefined) return;
    used.add(key);
    rows.push({ app: name, key, status, ...(to === undefined ? {} : { to: at(to) }), note });
    if (status === 'approximated' && to !== undefined) comments.push({ path: ['apps', name, ...to.split('.')], text: note });
  };
  const set = (path: string, value: unknown): void => {
    const parts = path.split('.');
    let node = out;
    for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>;
    node[parts.at(-1) ?? path] = value;
  };
  const comment = (path: string, text: string): void => void comments.push({ path: ['apps', name, ...path.split('.')], text });

  if (typeof app.name === 'string') {
    if (name === app.name) row('name', 'mapped', undefined, `the app's key under apps`);
    else row('name', 'approximated', undefined, `'${app.name}' is not an orch name (lowercase letters, digits, '.', '_', '-'): renamed '${name}'`);
    if (name !== app.name) comments.push({ path: ['apps', name], text: `PM2 name: ${app.name}` });
  }

  // cwd: absolute as written; relative ones from the PM2 file's directory, rewritten for the orch file's.
  const cwdKey = written('cwd');
  const pm2Cwd = cwdKey === undefined ? undefined : app[cwdKey];
  const cwdAbs = resolve(options.pm2Dir, typeof pm2Cwd === 'string' ? pm2Cwd : '.');
  const cwdOut = typeof pm2Cwd === 'string' && isAbsolute(pm2Cwd) ? pm2Cwd : relative(options.outDir, cwdAbs);
  if (cwdOut !== '') set('cwd', literal(cwdOut));
  if (typeof pm2Cwd === 'string') {
    row(cwdKey, 'mapped', 'cwd', cwdOut === '' ? "the orch file's directory (orch's default)" : 'the same directory');
  } else if (cwdKey !== undefined) {
    row(cwdKey, 'dropped', undefined, 'not a string');
  }

  // run
  const run = pm2Run(
    { script, args: get('args'), interpreter: get('exec_interpreter'), interpreterArgs: get('node_args'), cwd: cwdAbs },
    options,
  );
  set('run', run.run);
  if (run.shell) set('shell', true);
  const interpreterKey = written('exec_interpreter');
  row(scriptKey, interpreterKey === undefined ? run.status : 'mapped', 'run', interpreterKey === undefined ? run.note : 'the script');
  row(interpreterKey, run.status, 'run', run.note);
  row(written('args'), 'mapped', 'run', 'after the script');
  const nodeArgsKey = written('node_args');
  if (nodeArgsKey !== undefined) {
    if (run.shell || run.interpreter === undefined) row(nodeArgsKey, 'dropped', undefined, 'no interpreter runs here to take them');
    else row(nodeArgsKey, 'mapped', 'run', 'between the interpreter and the script');
  }

  // instances and mode (PM2's default mode: cluster for a Node script with `instances`).
  const instancesKey = written('instances');
  const count = instancesKey === undefined ? undefined : pm2Instances(app[instancesKey]);
  let instances: number | 'max' = 1;
  const perInstance = "each instance gets ORCH_INSTANCE (0-based) where PM2 sets NODE_APP_INSTANCE";
  if (instancesKey !== undefined && count === undefined) {
    row(instancesKey, 'dropped', undefined, 'not a number: PM2 runs 1');
  } else if (count !== undefined) {
    if (count > 0) {
      instances = count;
      row(instancesKey, 'mapped', 'instances', perInstance);
    } else if (count === 0) {
      instances = 'max';
      row(instancesKey, 'mapped', 'instances', `one per CPU; ${perInstance}`);
    } else {
      instances = Math.max(1, options.cpus + count);
      row(instancesKey, 'approximated', 'instances', `PM2's ${count} means all CPUs but ${-count}; orch has only 'max' (all CPUs): fixed to ${instances} from this machine's ${options.cpus} CPUs`);
    }
    set('instances', instances);
  }
  const modeKey = written('exec_mode');
  const modeValue = modeKey === undefined ? undefined : app[modeKey];
  const executeCommand = app.execute_command === true;
  let mode: 'fork' | 'cluster' = 'fork';
  if (modeKey !== undefined) {
    const m = /^(fork|cluster)(_mode)?$/.exec(String(modeValue));
    if (m === null) row(modeKey, 'dropped', undefined, `unknown exec_mode '${String(modeValue)}': PM2 runs fork`);
    else mode = m[1] as 'fork' | 'cluster';
  } else if (!executeCommand && count !== undefined && (count >= 1 || count === 0 || count === -1) && run.node) {
    mode = 'cluster';
    comment('mode', 'PM2 runs a Node script with instances and no exec_mode in cluster mode');
  }
  if (mode === 'cluster' && (!run.node || run.shell)) {
    mode = 'fork';
    row(modeKey ?? instancesKey, 'approximated', 'mode', "orch's cluster mode runs Node scripts only: mode fork (mode socket shares a port between instances of any program)");
  } else if (modeKey !== undefined && !used.has(modeKey)) {
    row(modeKey, 'mapped', 'mode', mode === 'cluster' ? "node:cluster, every instance on the app's port" : 'every instance its own process');
  }
  if (mode === 'cluster' || modeKey !== undefined) set('mode', mode);

  // env: env, then the --env block over it; PM2's `port` wins over both (Common.prepareAppConf).
  const env: Record<string, unknown> = {};
  const envRaw = app.env;
  if (envRaw !== undefined) {
    if (isObject(envRaw)) {
      Object.assign(env, envRaw);
      row('env', 'mapped', 'env', pm2Key('env')?.note ?? '');
    } else {
      row('env', 'dropped', undefined, 'not an object of variables');
    }
  }
  for (const key of Object.keys(app)) {
    if (!/^env_./.test(key) || key === 'env_file') continue;
    const block = app[key];
    if (options.envName !== undefined && key === `env_${options.envName}` && isObject(block)) {
      Object.assign(env, block);
      row(key, 'mapped', 'env', `merged over env (--env ${options.envName}), as 'pm2 start --env ${options.envName}' does`);
    } else {
      row(key, 'dropped', undefined, options.envName === undefined
        ? `an environment block: import with --env ${key.slice(4)} to merge it over env`
        : `not the block picked by --env ${options.envName}: import again with --env ${key.slice(4)} for that environment`);
    }
  }
  if (options.envName !== undefined && !Object.hasOwn(app, `env_${options.envName}`)) {
    rows.push({ app: name, key: `env_${options.envName}`, status: 'dropped', note: `not in this app: PM2 warns and runs it with env alone` });
  }
  const portKey = written('port');
  const portOf = (v: unknown): number | undefined => {
    const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
    return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535 ? n : undefined;
  };
  const port = portOf(portKey === undefined ? undefined : app[portKey]) ?? portOf(env.PORT);
  const incrementVar = typeof app.increment_var === 'string' ? app.increment_var : undefined;
  if (port !== undefined) {
    set('port', port);
    const forkMany = mode === 'fork' && instances !== 1;
    const how = forkMany
      ? incrementVar === 'PORT'
        ? { status: 'mapped' as const, note: 'fork mode: instance i gets PORT=port+i, as increment_var PORT does' }
        : { status: 'approximated' as const, note: 'fork mode: instance i gets PORT=port+i, where PM2 gives every instance the same PORT' }
      : { status: 'mapped' as const, note: mode === 'cluster' ? 'every worker listens on it' : 'ready once the port accepts' };
    if (portKey !== undefined && portOf(app[portKey]) !== undefined) {
      row(portKey, how.status, 'port', how.note);
      if (env.PORT !== undefined) rows.push({ app: name, key: 'env.PORT', status: 'mapped', to: at('port'), note: 'PM2 overwrites it with port' });
    } else {
      rows.push({ app: name, key: 'env.PORT', status: how.status, to: at('port'), note: `orch sets PORT itself from port; ${how.note}` });
      if (how.status === 'approximated') comment('port', how.note);
    }
    delete env.PORT;
  } else if (portKey !== undefined) {
    row(portKey, 'dropped', undefined, 'not a port number (1-65535)');
  }
  if (incrementVar !== undefined) {
    if (incrementVar === 'PORT' && port !== undefined && mode === 'fork') row('increment_var', 'mapped', 'port', 'orch fork mode gives instance i PORT=port+i');
    else row('increment_var', 'dropped', undefined, pm2Key('increment_var')?.note ?? '');
  }
  if (run.python && env.PYTHONUNBUFFERED === undefined) {
    env.PYTHONUNBUFFERED = '1';
    comment('env.PYTHONUNBUFFERED', 'PM2 sets it for python interpreters');
  }
  const envOut: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(env)) {
    const value = envValue(v);
    if (value !== undefined && !k.includes('=')) envOut[k] = value;
  }
  if (Object.keys(envOut).length > 0) set('env', envOut);

  const envFileKey = written('env_file');
  if (envFileKey !== undefined) {
    const v = app[envFileKey];
    if (typeof v === 'string' && v !== '') {
      set('env_file', literal(isAbsolute(v) ? v : relative(options.outDir, resolve(options.pm2Dir, v))));
      row(envFileKey, 'approximated', 'env_file', pm2Key('env_file')?.note ?? '');
    } else {
      row(envFileKey, 'dropped', undefined, 'not a path');
    }
  }

  // restart
  const autorestart = get('autorestart');
  const stopCodesKey = written('stop_exit_codes');
  const stopCodes = stopCodesKey === undefined ? undefined : [app[stopCodesKey]].flat().map((c) => (typeof c === 'string' ? Number.parseInt(c, 10) : c));
  if (autorestart === false || autorestart === 'false') {
    set('restart.policy', 'never');
    row(written('autorestart'), 'mapped', 'restart.policy', 'never restarted');
    row(stopCodesKey, 'dropped', undefined, 'autorestart false restarts nothing anyway');
  } else {
    if (written('autorestart') !== undefined) {
      set('restart.policy', 'always');
      row(written('autorestart'), autorestart === true ? 'mapped' : 'dropped', autorestart === true ? 'restart.policy' : undefined, autorestart === true ? 'restarted on every exit' : 'not a boolean');
    }
    if (stopCodes !== undefined) {
      const others = stopCodes.filter((c) => c !== 0);
      if (stopCodes.includes(0)) {
        set('restart.policy', 'on-failure');
        if (others.length === 0) row(stopCodesKey, 'mapped', 'restart.policy', 'on-failure: exit 0 is not restarted');
        else row(stopCodesKey, 'approximated', 'restart.policy', `on-failure: exit 0 is not restarted, but exit ${others.join(', ')} still is`);
      } else {
        row(stopCodesKey, 'dropped', undefined, `orch's only such policy, on-failure, stops on exit 0 alone: exit ${others.join(', ')} is restarted`);
      }
    }
  }
  const maxRestartsKey = written('max_restarts');
  const maxRestarts = get('max_restarts');
  if (typeof maxRestarts === 'number' && Number.isInteger(maxRestarts) && maxRestarts >= 0) {
    set('restart.max_restarts', maxRestarts);
    row(maxRestartsKey, 'approximated', 'restart.max_restarts', pm2Key('max_restarts')?.note ?? '');
  } else {
    row(maxRestartsKey, 'dropped', undefined, 'not a whole number');
  }
  durationRow(written('min_uptime'), 'restart.min_uptime', 'a shorter run counts as a crash');
  const expKey = written('exp_backoff_restart_delay');
  const exp = expKey === undefined ? undefined : toDuration(app[expKey]);
  const delayKey = written('restart_delay');
  const delay = delayKey === undefined ? undefined : toDuration(app[delayKey]);
  if (exp !== undefined) {
    // God.js: the first delay is the value, then ×1.5 per restart, capped at 15 s.
    set('restart.backoff', { initial: exp, max: Math.max(15_000, durationMs(exp)), factor: 1.5 });
    row(expKey, 'mapped', 'restart.backoff', "PM2's growth: the delay, then 1.5 times more per restart, at most 15s");
    row(delayKey, 'dropped', undefined, 'exp_backoff_restart_delay wins over it in PM2');
  } else if (delay !== undefined) {
    set('restart.backoff', { initial: delay, max: delay, factor: 1 });
    row(delayKey, 'mapped', 'restart.backoff', 'a fixed delay: initial = max, factor 1');
  } else {
    row(expKey, 'dropped', undefined, 'not a duration');
    row(delayKey, 'dropped', undefined, 'not a duration');
  }

  // shutdown: PM2 sends SIGINT (constants.js KILL_SIGNAL), then SIGKILL after kill_timeout.
  set('shutdown.signal', 'SIGINT');
  comment('shutdown.signal', 'PM2 stops apps with SIGINT');
  durationRow(written('kill_timeout'), 'shutdown.timeout', 'then SIGKILL, to the whole process group');
  const withMessage = written('shutdown_with_message');
  if (withMessage !== undefined) {
    if (app[withMessage] === true) row(withMessage, 'approximated', 'shutdown.signal', pm2Key('shutdown_with_message')?.note ?? '');
    else row(withMessage, 'mapped', 'shutdown.signal', 'a signal, as PM2 without it');
  }

  // ready
  const waitReady = written('wait_ready');
  if (waitReady !== undefined) {
    if (app[waitReady] === true) {
      set('ready.type', 'message');
      row(waitReady, 'mapped', 'ready.type', "message: the app calls process.send('ready')");
    } else {
      row(waitReady, 'mapped', 'ready', "orch's default readiness");
    }
  }
  if (mode === 'cluster' && port === undefined && app[waitReady ?? ''] !== true) {
    // orch's cluster default waits for a `listening` event that a worker with no port may never emit.
    set('ready.type', 'none');
    comment('ready.type', "PM2 counts a cluster worker online once forked; with no port orch cannot wait for 'listening'");
  }
  const listenTimeout = written('listen_timeout');
  if (listenTimeout !== undefined) {
    const d = toDuration(app[listenTimeout]);
    if (d === undefined) row(listenTimeout, 'dropped', undefined, 'not a duration');
    else {
      set('ready.timeout', d);
      row(listenTimeout, 'approximated', 'ready.timeout', pm2Key('listen_timeout')?.note ?? '');
    }
  }

  // watch
  const watchKey = written('watch');
  const watch = watchKey === undefined ? undefined : app[watchKey];
  const watchOn = watch === true || typeof watch === 'string' || (Array.isArray(watch) && watch.length > 0);
  if (watchKey !== undefined) {
    if (watchOn) {
      const paths = watch === true ? undefined : toWords([watch].flat());
      set('watch', paths === undefined ? true : { paths });
      row(watchKey, 'approximated', 'watch', pm2Key('watch')?.note ?? '');
    } else {
      row(watchKey, 'mapped', undefined, 'off, as orch without it');
    }
  }
  const ignoreKey = written('ignore_watch');
  const debounceKey = written('watch_delay');
  const objectWatch = (): Record<string, unknown> => {
    const w = out.watch;
    if (w !== true && isObject(w)) return w as Record<string, unknown>;
    const next: Record<string, unknown> = {};
    out.watch = next;
    return next;
  };
  if (ignoreKey !== undefined) {
    const ignore = toWords([app[ignoreKey]].flat().filter((v) => typeof v === 'string'));
    if (!watchOn) row(ignoreKey, 'dropped', undefined, 'watch is off');
    else if (ignore === undefined || ignore.length === 0) row(ignoreKey, 'dropped', undefined, 'no patterns');
    else {
      objectWatch().ignore = ignore.map(literal);
      row(ignoreKey, 'approximated', 'watch.ignore', pm2Key('ignore_watch')?.note ?? '');
    }
  }
  if (debounceKey !== undefined) {
    const d = toDuration(app[debounceKey]);
    if (!watchOn) row(debounceKey, 'dropped', undefined, 'watch is off');
    else if (d === undefined) row(debounceKey, 'dropped', undefined, 'not a duration');
    else {
      objectWatch().debounce = d;
      row(debounceKey, 'mapped', 'watch.debounce', 'quiet time before the reload');
    }
  }

  const memoryKey = written('max_memory_restart');
  if (memoryKey !== undefined) {
    const size = toSize(app[memoryKey]);
    if (size === undefined) row(memoryKey, 'dropped', undefined, 'not a size');
    else {
      set('max_memory', size);
      row(memoryKey, 'mapped', 'max_memory', 'restarted when its memory stays above it');
    }
  }
  if (typeof app.namespace === 'string') row('namespace', 'approximated', undefined, '');

  // Everything else: PM2 keys orch has no use for, and keys PM2 itself does not know.
  for (const key of Object.keys(app)) {
    if (used.has(key)) continue;
    const known = pm2Key(key);
    rows.push({ app: name, key, status: 'dropped', note: known?.fidelity === 'dropped' ? known.note : known === undefined ? 'not a PM2 option (PM2 ignores it)' : 'not used here' });
  }

  const ordered: Record<string, unknown> = {};
  for (const k of ORDER) if (out[k] !== undefined) ordered[k] = out[k];
  return { ok: true, name, app: ordered, rows, comments };

  function durationRow(key: string | undefined, to: string, note: string): void {
    if (key === undefined) return;
    const d = toDuration(app[key]);
    if (d === undefined) {
      row(key, 'dropped', undefined, 'not a duration');
      return;
    }
    set(to, d);
    row(key, 'mapped', to, note);
  }
};
