// Keys that PM2 users write from habit (SPEC §9): an unknown key of an app (or of `defaults`)
// that PM2 knows gets a pointer to what orch calls it, and where it goes when it lives at
// another level, with the user's own value filled in where it carries over as it is.

type Hint = (value: unknown) => string;

/** A value as it would be written in a YAML flow map. */
const flow = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(flow).join(', ')}]`;
  if (typeof value === 'string') return /^[\w./@%+=:-][\w ./@%+=:-]*$/.test(value) && !value.endsWith(' ') ? value : JSON.stringify(value);
  if (value === null || value === undefined || typeof value === 'object') return '...';
  return String(value);
};

const callsIt = (name: string): Hint => (v) => `orch calls it '${name}' (${name}: ${flow(v)})`;

/** `orch calls it 'timeout' under 'shutdown' (shutdown: { timeout: 3000 })`. */
const under = (parent: string, name: string): Hint => (v) => {
  const parts = parent.split('.');
  const inner = parts.reduceRight((acc, p) => `${p}: { ${acc} }`, `${name}: ${flow(v)}`);
  return `orch calls it '${name}' under '${parent}' (${inner})`;
};

const LOGS = "orch captures stdout and stderr itself, under ORCH_HOME: read them with 'orch logs <app>'";
const ARGS_OF = (interpreter: string): Hint => (v) =>
  `orch takes them in 'run', between the interpreter and the script (run: ${interpreter} ${flow(v)} <script>)`;
const MODE: Readonly<Record<string, string>> = { cluster_mode: 'cluster', cluster: 'cluster', fork_mode: 'fork', fork: 'fork' };

const HINTS: Readonly<Record<string, Hint>> = {
  script: callsIt('run'),
  exec_mode: (v) =>
    `orch calls it 'mode' (mode: ${MODE[String(v)] ?? 'fork'}; PM2's cluster_mode is cluster, fork_mode is fork)`,
  kill_timeout: under('shutdown', 'timeout'),
  max_memory_restart: callsIt('max_memory'),
  listen_timeout: under('ready', 'timeout'),
  wait_ready: () => "orch calls it 'type: message' under 'ready': the app calls process.send('ready') (ready: { type: message })",
  autorestart: (v) =>
    `orch calls it 'policy' under 'restart' (restart: { policy: ${v === false ? 'never' : 'always'} })`,
  args: (v) => `orch takes the arguments in 'run', after the script (run: <script> ${Array.isArray(v) ? v.map(String).join(' ') : flow(v)})`,
  interpreter: (v) => `orch runs 'run' as written: put the interpreter first (run: ${typeof v === 'string' ? v : '<interpreter>'} <script>)`,
  exec_interpreter: (v) => `orch runs 'run' as written: put the interpreter first (run: ${typeof v === 'string' ? v : '<interpreter>'} <script>)`,
  node_args: ARGS_OF('node'),
  interpreter_args: ARGS_OF('<interpreter>'),
  error_file: () => LOGS,
  out_file: () => LOGS,
  log_file: () => LOGS,
  min_uptime: under('restart', 'min_uptime'),
  max_restarts: under('restart', 'max_restarts'),
  restart_delay: under('restart.backoff', 'initial'),
  exp_backoff_restart_delay: (v) =>
    `orch always backs off exponentially, from 'initial' under 'restart.backoff' (restart: { backoff: { initial: ${flow(v)} } })`,
  cron_restart: () => "orch has no scheduled restarts: run 'orch restart <app>' from cron or a systemd timer",
  ignore_watch: under('watch', 'ignore'),
};

const ENV_BLOCK = "orch has one 'env' per app: write one file per environment, or fill values with ${VAR} interpolation";

/**
 * The pointer for an unknown key of an app map (`app` is its name) or of `defaults` (undefined),
 * or undefined when the key is not one of PM2's.
 */
export const pm2KeyHint = (key: string, value: unknown, app: string | undefined): string | undefined => {
  if (key === 'name') {
    return `orch takes an app's name from its key under 'apps'${app === undefined ? '' : ` (here '${app}')`}`;
  }
  if (/^env_./.test(key)) return ENV_BLOCK;
  return Object.hasOwn(HINTS, key) ? HINTS[key]?.(value) : undefined;
};

/** A value PM2 gives a meaning orch does not: `instances: -1`. Appended to the schema error. */
export const pm2ValueHint = (key: string, value: unknown): string | undefined =>
  key === 'instances' && value === -1
    ? `PM2's -1 means all CPUs but one: write "max" for one per CPU, or a count`
    : undefined;
