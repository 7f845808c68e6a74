// What orch does with each PM2 app key (PM2 6, lib/API/schema.json): one table, read by the
// mapping (src/import/pm2-map.ts) for aliases and drop reasons, and rendered into the README's
// "Arriving from PM2" key table (a unit test checks that the README carries it, so it cannot drift).

export type Fidelity = 'mapped' | 'approximated' | 'dropped';

export interface Pm2Key {
  /** PM2's own name for the key. */
  readonly key: string;
  /** Other names PM2 accepts for it (schema.json `alias`, or the JSON-file aliases of Common.js). */
  readonly aliases?: readonly string[];
  /** Where it goes in the orch file, `-` when nowhere. */
  readonly to: string;
  /** The usual outcome; some values change it (e.g. `instances: -1` is approximated). */
  readonly fidelity: Fidelity | 'mapped or approximated';
  /** How (approximated) or why (dropped), in a few words. */
  readonly note: string;
}

const LOGS = "orch captures stdout and stderr itself, under ORCH_HOME: read them with 'orch logs <app>'";
const PM2_IO = 'a PM2.io (Keymetrics) monitoring option: orch has no equivalent';

export const PM2_KEYS: readonly Pm2Key[] = [
  { key: 'name', to: 'apps.<name>', fidelity: 'mapped or approximated', note: "the app's key; lowercased and '-' for other characters when PM2's name is not a valid orch name" },
  { key: 'script', aliases: ['exec', 'cmd', 'command'], to: 'run', fidelity: 'mapped or approximated', note: "interpreter, interpreter args, script, args; a script with spaces runs with 'shell: true' (/bin/sh, where PM2 uses bash)" },
  { key: 'args', to: 'run', fidelity: 'mapped', note: 'after the script; a string is split into words as PM2 splits it' },
  { key: 'exec_interpreter', aliases: ['interpreter'], to: 'run', fidelity: 'mapped or approximated', note: "first word of run; without it, PM2's choice by extension (.js node, .py python, .sh bash, ...); 'none' runs the script itself; node@version is dropped" },
  { key: 'node_args', aliases: ['interpreter_args', 'interpreterArgs'], to: 'run', fidelity: 'mapped', note: 'between the interpreter and the script' },
  { key: 'cwd', to: 'cwd', fidelity: 'mapped', note: "PM2 resolves it from where 'pm2 start' runs: taken as the PM2 file's directory, rewritten relative to the orch file" },
  { key: 'instances', to: 'instances', fidelity: 'mapped or approximated', note: "0 and 'max' are 'max'; a negative count (-1: all CPUs but one) is fixed to this machine's CPUs minus that many" },
  { key: 'exec_mode', to: 'mode', fidelity: 'mapped or approximated', note: "cluster/cluster_mode and fork/fork_mode; cluster for a non-Node program becomes fork (orch's socket mode shares a port between any programs)" },
  { key: 'env', to: 'env', fidelity: 'mapped', note: "PM2 also passes the caller's whole environment; orch passes only PATH, HOME, USER, LANG, LC_*, TZ, TMPDIR and inherit_env" },
  { key: 'env_<NAME>', to: 'env', fidelity: 'mapped or approximated', note: "the block named by --env NAME is merged over env, as 'pm2 start --env NAME' does; other blocks are dropped" },
  { key: 'env_file', to: 'env_file', fidelity: 'approximated', note: 'not a PM2 6 option (PM2 ignores it); orch reads it under env' },
  { key: 'port', to: 'port', fidelity: 'mapped or approximated', note: "PORT in env (after --env) becomes port too; fork mode gives instance i PORT=port+i, where PM2 gives every instance the same PORT unless increment_var is PORT" },
  { key: 'increment_var', to: 'port', fidelity: 'mapped or approximated', note: "PORT with a port is what orch's fork mode does (port+i); another variable has no equivalent: ORCH_INSTANCE carries the index" },
  { key: 'max_memory_restart', to: 'max_memory', fidelity: 'mapped', note: 'same units (K, M, G as powers of 1024)' },
  { key: 'kill_timeout', to: 'shutdown.timeout', fidelity: 'mapped', note: 'orch sends SIGINT first, as PM2 does (shutdown.signal: SIGINT is written for every app)' },
  { key: 'listen_timeout', to: 'ready.timeout', fidelity: 'approximated', note: 'PM2 goes on after it as if ready; orch counts the start as failed' },
  { key: 'wait_ready', to: 'ready.type', fidelity: 'mapped', note: "true is ready type message: the app calls process.send('ready')" },
  { key: 'shutdown_with_message', to: 'shutdown.signal', fidelity: 'approximated', note: "orch sends SIGINT instead of the 'shutdown' message: handle process.on('SIGINT')" },
  { key: 'autorestart', to: 'restart.policy', fidelity: 'mapped', note: 'false is never, true is always' },
  { key: 'max_restarts', to: 'restart.max_restarts', fidelity: 'approximated', note: 'PM2 counts restarts after runs shorter than min_uptime; orch counts crashes within restart.window (60s)' },
  { key: 'min_uptime', to: 'restart.min_uptime', fidelity: 'mapped', note: 'a shorter run counts as a crash' },
  { key: 'restart_delay', to: 'restart.backoff', fidelity: 'mapped', note: 'a fixed delay: backoff initial = max = the delay, factor 1' },
  { key: 'exp_backoff_restart_delay', to: 'restart.backoff', fidelity: 'mapped', note: "PM2's growth: initial the delay, factor 1.5, max 15s" },
  { key: 'stop_exit_codes', to: 'restart.policy', fidelity: 'mapped or approximated', note: '[0] is on-failure; other codes have no equivalent (orch stops only on exit 0)' },
  { key: 'watch', to: 'watch', fidelity: 'approximated', note: "orch watches only under 'orch apply --watch', and reloads the app" },
  { key: 'ignore_watch', to: 'watch.ignore', fidelity: 'approximated', note: 'PM2 passes them to chokidar (globs or regular expressions); orch reads globs' },
  { key: 'watch_delay', to: 'watch.debounce', fidelity: 'mapped', note: 'quiet time before the reload' },
  { key: 'namespace', to: 'name', fidelity: 'approximated', note: "orch's project is one per file: kept when every app has the same namespace" },
  { key: 'cron_restart', aliases: ['cron'], to: '-', fidelity: 'dropped', note: "orch has no scheduled restarts: run 'orch restart <app>' from cron or a systemd timer" },
  { key: 'out_file', aliases: ['out', 'output', 'out_log'], to: '-', fidelity: 'dropped', note: LOGS },
  { key: 'error_file', aliases: ['error', 'err', 'err_file', 'err_log'], to: '-', fidelity: 'dropped', note: LOGS },
  { key: 'log_file', aliases: ['log'], to: '-', fidelity: 'dropped', note: LOGS },
  { key: 'log_date_format', to: '-', fidelity: 'dropped', note: "orch timestamps every captured line itself ('orch logs' shows the time)" },
  { key: 'time', to: '-', fidelity: 'dropped', note: "orch timestamps every captured line itself ('orch logs' shows the time)" },
  { key: 'merge_logs', aliases: ['combine_logs'], to: '-', fidelity: 'dropped', note: "orch keeps one log per app, every line tagged with its instance" },
  { key: 'disable_logs', to: '-', fidelity: 'dropped', note: 'orch always captures output (rotated, bounded in size)' },
  { key: 'log_type', to: '-', fidelity: 'dropped', note: "orch's log lines are structured already: 'orch logs --output json'" },
  { key: 'pid_file', aliases: ['pid'], to: '-', fidelity: 'dropped', note: "orch writes no pid files: 'orch status --output json' has every pid" },
  { key: 'vizion', to: '-', fidelity: 'dropped', note: "PM2's git metadata for its dashboard: 'orch history' records the git commit of every apply" },
  { key: 'post_update', to: '-', fidelity: 'dropped', note: "commands PM2 runs after a pull from its dashboard: orch pulls nothing, run them before 'orch apply'" },
  { key: 'deploy', to: '-', fidelity: 'dropped', note: "PM2's deploy (ssh and git pull) is not orch's job: run 'orch apply' after your own deploy step (see GitOps)" },
  { key: 'autostart', to: '-', fidelity: 'dropped', note: "orch starts every app it applies: 'orch stop <app>' after apply" },
  { key: 'force', to: '-', fidelity: 'dropped', note: 'orch never runs one app twice: its name is its identity' },
  { key: 'append_env_to_name', to: '-', fidelity: 'dropped', note: 'orch takes names from the keys under apps: rename the app in the output' },
  { key: 'name_prefix', to: '-', fidelity: 'dropped', note: 'orch takes names from the keys under apps: rename the app in the output' },
  { key: 'filter_env', to: '-', fidelity: 'dropped', note: "orch never passes the caller's environment beyond PATH, HOME, USER, LANG, LC_*, TZ, TMPDIR and inherit_env" },
  { key: 'instance_var', to: '-', fidelity: 'dropped', note: 'orch sets ORCH_INSTANCE (0-based) and cannot rename it' },
  { key: 'source_map_support', to: '-', fidelity: 'dropped', note: "orch injects nothing into the app: add node --enable-source-maps to run" },
  { key: 'disable_source_map_support', to: '-', fidelity: 'dropped', note: 'orch injects no source-map support to disable' },
  { key: 'uid', aliases: ['user'], to: '-', fidelity: 'dropped', note: "orch runs apps as the daemon's user: run that daemon as the user (orch startup)" },
  { key: 'gid', to: '-', fidelity: 'dropped', note: "orch runs apps as the daemon's user and group" },
  { key: 'username', to: '-', fidelity: 'dropped', note: 'set by PM2 itself' },
  { key: 'treekill', to: '-', fidelity: 'dropped', note: "orch always SIGKILLs the instance's whole process group after shutdown.timeout" },
  { key: 'kill_retry_time', to: '-', fidelity: 'dropped', note: 'orch waits for the exit itself' },
  { key: 'watch_options', to: '-', fidelity: 'dropped', note: 'chokidar options: orch sets its own' },
  { key: 'execute_command', to: '-', fidelity: 'dropped', note: 'an internal PM2 switch (fork mode for a command)' },
  { key: 'windowsHide', to: '-', fidelity: 'dropped', note: 'Windows only' },
  { key: 'install_url', to: '-', fidelity: 'dropped', note: 'PM2 modules: orch has none' },
  { key: 'write', to: '-', fidelity: 'dropped', note: 'PM2-internal' },
  ...['trace', 'disable_trace', 'v8', 'event_loop_inspector', 'deep_monitoring', 'pmx', 'automation', 'io'].map(
    (key): Pm2Key => ({ key, to: '-', fidelity: 'dropped', note: PM2_IO }),
  ),
];

const byName = new Map<string, Pm2Key>();
for (const k of PM2_KEYS) for (const name of [k.key, ...(k.aliases ?? [])]) byName.set(name, k);

/** The table entry for a key as written in a PM2 app (an alias finds its key). */
export const pm2Key = (name: string): Pm2Key | undefined =>
  /^env_./.test(name) && name !== 'env_file' ? byName.get('env_<NAME>') : byName.get(name);

/** The canonical PM2 name of a key written under an alias (`interpreter` → `exec_interpreter`). */
export const canonicalKey = (name: string): string => {
  const k = pm2Key(name);
  return k === undefined || k.key === 'env_<NAME>' ? name : k.key;
};

/** The README's key table, in Markdown. */
export const renderPm2KeyTable = (): string =>
  [
    '| PM2 key | orch | | how, or why not |',
    '|---|---|---|---|',
    ...PM2_KEYS.map((k) => {
      const names = [k.key, ...(k.aliases ?? [])].map((n) => `\`${n}\``).join(', ');
      const to = k.to === '-' ? '—' : `\`${k.to}\``;
      return `| ${names} | ${to} | ${k.fidelity} | ${k.note.replaceAll('|', '\\|')} |`;
    }),
  ].join('\n');
