// The full command line. Each command's module is imported only when that command runs, so
// `orch --version` and `orch validate` load no daemon or process code.
import { Argument, Command, CommanderError, Option } from 'commander';
import { VERSION } from '../version.js';
import { type Outcome, exitCodeOf, exitCodeOfOutcome } from './exit-code.js';
import { suggestionFor } from './suggest.js';

/** Every action ends here: a command returns its outcome (or nothing, for ok) and this sets the exit code. */
const finish = (outcome: Outcome | void): void => {
  process.exitCode = exitCodeOfOutcome(outcome ?? 'ok');
};

const outputOption = () => new Option('-o, --output <format>', 'output format').choices(['human', 'json']).default('human');

const program = new Command('orch')
  .description('Declarative process orchestrator: one YAML file, a plan before acting, zero-downtime reloads.')
  .version(VERSION, '-v, --version')
  .showHelpAfterError('(run orch --help for usage)')
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

program
  .command('validate')
  .description('validate an ecosystem file (exit 0 valid, 2 invalid)')
  .argument('[file]', 'ecosystem file', 'ecosystem.yaml')
  .addOption(outputOption())
  .action(async (file: string, opts: { output: 'human' | 'json' }) => finish(await (await import('./commands/validate.js')).validate(file, opts)));

program
  .command('diff')
  .description('show what apply would change (exit 0 no changes, 1 changes, 2 invalid)')
  .argument('[file]', 'ecosystem file', 'ecosystem.yaml')
  .addOption(outputOption())
  .action(async (file: string, opts: { output: 'human' | 'json' }) => finish(await (await import('./commands/diff.js')).diff(file, opts)));

program
  .command('apply')
  .description('converge the running apps to the file (exit 0 converged, 2 invalid, 3 failed)')
  .argument('[file]', 'ecosystem file', 'ecosystem.yaml')
  .addOption(outputOption())
  .option('-w, --watch', "then stay in the foreground: re-apply the file on save, reload an app when its watch paths change")
  .action(async (file: string, opts: { output: 'human' | 'json'; watch?: boolean }) =>
    opts.watch
      ? finish(await (await import('./commands/watch.js')).applyWatch(file, opts))
      : finish(await (await import('./commands/apply.js')).apply(file, opts)),
  );

for (const name of ['status', 'ls', 'list']) {
  program
    .command(name)
    .description(name === 'status' ? 'list apps and instances: project, mode, pid, state, uptime, restarts, cpu, memory, port' : 'alias of status')
    .option('-p, --project <name>', 'only the apps of this project (exit 2 if orch knows no such project)')
    .addOption(outputOption())
    .action(async (opts: { output: 'human' | 'json'; project?: string }) => finish(await (await import('./commands/status.js')).status(opts)));
}

// SPEC §11: one app in full. `show` and `info` are PM2's words for it.
program
  .command('describe')
  .aliases(['show', 'info'])
  .description("one app: its spec in the file's terms, its instances, its recent events (since the daemon started)")
  .argument('<app>', 'app name')
  .option('--show-env', 'show env values (hidden by default: they may be secrets)')
  .addOption(outputOption())
  .action(async (app: string, opts: { output: 'human' | 'json'; showEnv?: boolean }) => finish(await (await import('./commands/describe.js')).describe(app, opts)));

program
  .command('scale')
  .description('run N instances of an app now (imperative: the next diff shows the file\'s count as drift)')
  .argument('<app>', 'app name')
  .argument('<instances>', 'instance count', (v) => parseCount(v))
  .addOption(outputOption())
  .action(async (app: string, instances: number, opts: { output: 'human' | 'json' }) =>
    finish(await (await import('./commands/scale.js')).scale(app, instances, opts)),
  );

const appVerbs = {
  stop: 'stop every instance of an app (kept, shown as drift by diff)',
  start: 'start a stopped, errored or rolled-back app',
  restart: 'stop then start every instance of an app',
  reload: 'zero-downtime rolling reload of an app (a restart for fork mode without a shared port)',
  delete: 'stop an app and forget it (its logs too)',
} as const;
for (const [verb, description] of Object.entries(appVerbs)) {
  program
    .command(verb)
    .description(`${description}; several apps, or 'all' for every app`)
    .argument('<apps...>', "app names, or 'all'")
    .addOption(outputOption())
    .action(async (apps: string[], opts: { output: 'human' | 'json' }) =>
      finish(await (await import('./commands/app-verb.js')).appVerbs(verb as keyof typeof appVerbs, apps, opts)),
    );
}

program
  .command('down')
  .description("stop and forget every app of the file's project (with no daemon running: remove it from the persisted state)")
  .argument('[file]', 'ecosystem file', 'ecosystem.yaml')
  .addOption(outputOption())
  .action(async (file: string, opts: { output: 'human' | 'json' }) => finish(await (await import('./commands/down.js')).down(file, opts)));

program
  .command('logs')
  .description("print an app's (or every app's) captured output")
  .argument('[app]', 'app name, or app#N for one instance (default: all apps)')
  .option('-f, --follow', 'keep printing new lines')
  .option('-n, --lines <n>', 'lines to print from the end, counting only lines that pass the filters (default: 20; every line with --since)', (v) => parseCount(v))
  .option('--err', 'only stderr')
  .option('--out', 'only stdout')
  .option('--since <when>', 'only lines since a duration ago (10m, 2h, 1d) or an ISO time')
  .addOption(outputOption())
  .action(async (app: string | undefined, opts: { follow?: boolean; lines?: number; err?: boolean; out?: boolean; since?: string; output: 'human' | 'json' }) =>
    finish(await (await import('./commands/logs.js')).logs(app, opts)),
  );

program
  .command('flush')
  .description("empty an app's (or every app's) log files, rotated ones included")
  .argument('[app]', 'app name (default: every app, deleted apps\' leftover logs too)')
  .addOption(outputOption())
  .action(async (app: string | undefined, opts: { output: 'human' | 'json' }) => finish(await (await import('./commands/flush.js')).flush(app, opts)));

program
  .command('history')
  .description('list recorded generations: every apply, with its file hash and git commit')
  .option('-p, --project <name>', 'only this project (exit 2 if orch knows no such project)')
  .addOption(outputOption())
  .action(async (opts: { output: 'human' | 'json'; project?: string }) => finish(await (await import('./commands/history.js')).history(opts)));

program
  .command('rollback')
  .description("re-apply a recorded generation (default: the project's previous one), showing its plan first")
  .argument('[generation]', 'generation number (see orch history)', (v) => parseCount(v))
  .option('-p, --project <name>', 'the project to roll back (needed when several run); the generation must be one of its own')
  .addOption(outputOption())
  .action(async (generation: number | undefined, opts: { output: 'human' | 'json'; project?: string }) =>
    finish(await (await import('./commands/history.js')).rollback(generation, opts)),
  );

program
  .command('startup')
  .description('print a systemd unit that starts the daemon at boot (which brings back the last applied apps)')
  .addOption(new Option('--system', 'a system unit (the default for root)').conflicts('user'))
  .addOption(new Option('--user', 'a user unit, systemctl --user (the default for other users)').conflicts('system'))
  .option('--install', 'write the unit and enable it with systemctl (else: print it, and the commands that install it on stderr)')
  .action(async (opts: { system?: boolean; user?: boolean; install?: boolean }) => finish(await (await import('./commands/startup.js')).startup(opts)));

// SPEC §12: the web dashboard, served by the daemon; the command prints its URL and opens nothing.
program
  .command('dashboard')
  .description('serve the web dashboard (on 127.0.0.1, a random port unless given) and print its URL with a fresh token')
  .option('--port <port>', 'the port to serve on (default: the running dashboard\'s, else a random one)', (v) => parsePort(v))
  .option('--host <address>', 'the address to serve on (default 127.0.0.1; another one exposes the dashboard to that network)')
  .addOption(outputOption())
  .action(async (opts: { port?: number; host?: string; output: 'human' | 'json' }) => finish(await (await import('./commands/dashboard.js')).dashboard(opts)));

// SPEC §12: the event log and the Prometheus metrics.
program
  .command('events')
  .description("an app's (or every app's) event log: starts, exits and why, back-offs, reloads, applies, dropped log lines")
  .argument('[app]', 'app name (default: all apps)')
  .option('-f, --follow', 'keep printing new events (JSON lines with --output json)')
  .option('--since <when>', 'only events since a duration ago (10m, 2h, 1d) or an ISO time')
  .addOption(outputOption())
  .action(async (app: string | undefined, opts: { follow?: boolean; since?: string; output: 'human' | 'json' }) =>
    finish(await (await import('./commands/events.js')).events(app, opts)),
  );
program
  .command('metrics')
  .description('print the Prometheus metrics (text format) over the control socket; ORCH_METRICS_ADDR or daemon start --metrics serves them over HTTP')
  .action(async () => finish(await (await import('./commands/metrics.js')).metrics()));

// PM2's monit: status's table, live, in the terminal (charts are the web dashboard's).
program
  .command('top')
  .alias('monit')
  .description("status's table, redrawn live (q quits); never starts a daemon; charts: orch dashboard")
  .option('-i, --interval <duration>', 'time between two refreshes, 100ms to 1h', '1s')
  .option('--once', 'print one frame and exit')
  .option('-p, --project <name>', 'only the apps of one project')
  .action(async (opts: { interval: string; once?: boolean; project?: string }) => finish(await (await import('./commands/top.js')).top(opts)));

program
  .command('completion')
  .description('print a shell completion script (bash: source <(orch completion bash))')
  .addArgument(new Argument('<shell>', 'shell').choices(['bash', 'zsh', 'fish']))
  .action(async (shell: 'bash' | 'zsh' | 'fish') => finish(await (await import('./commands/completion.js')).completion(shell, program)));

// Arriving from PM2 (SPEC §11): `import pm2` and `init`.
{
  const parseTimeout = (v: string): number => {
    const m = /^(\d+)(ms|s)?$/.exec(v);
    if (m === null) throw new CommanderError(2, 'orch.usage', `error: expected a duration like 10s or 500ms, got '${v}'`);
    return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
  };
  const importCommand = program.command('import').description('write an orch ecosystem file from another tool\'s');
  importCommand
    .command('pm2')
    .description('from a PM2 ecosystem file (.js, .cjs, .mjs, .json, .json5, .yaml): the YAML to --out or stdout, the fidelity of every key to stderr')
    .argument('<file>', 'PM2 ecosystem file')
    .option('--out <file>', 'write the orch file here (default: stdout)')
    .option('--env <name>', "merge PM2's env_<name> block over env, as pm2 start --env <name> does")
    .option('--force', 'overwrite --out if it exists')
    .option('--timeout <duration>', 'how long a JS file may take to evaluate', parseTimeout, 10_000)
    .addOption(outputOption())
    .action(async (file: string, opts: { out?: string; env?: string; force?: boolean; timeout: number; output: 'human' | 'json' }) =>
      finish(await (await import('./commands/import.js')).importPm2(file, { ...opts, timeoutMs: opts.timeout })),
    );
  program
    .command('init')
    .description('write a commented starter ecosystem.yaml here (for script if given); exit 2 if one exists, unless --force')
    .argument('[script]', 'the script the app runs')
    .option('--port <port>', 'the port the app listens on', (v) => parseCount(v))
    .option('--force', 'overwrite an existing ecosystem.yaml')
    .action(async (script: string | undefined, opts: { port?: number; force?: boolean }) => finish(await (await import('./commands/init.js')).init(script, opts)));
}

// SPEC §13: the file for another engine, with a fidelity report of every field.
program
  .command('export')
  .description('write the file for kubernetes, systemd or compose, with a report of what was mapped, approximated or dropped')
  .addArgument(new Argument('<target>', 'engine').choices(['kubernetes', 'systemd', 'compose']))
  .argument('[file]', 'ecosystem file', 'ecosystem.yaml')
  .option('--out <dir>', 'write the files into this directory (default: print them on stdout)')
  .option('--image <image>', "container image of apps whose file sets no 'export.image'")
  .option('--user', 'systemd: user units (systemctl --user) instead of system units')
  .addOption(outputOption())
  .action(
    async (
      target: 'kubernetes' | 'systemd' | 'compose',
      file: string,
      opts: { output: 'human' | 'json'; out?: string; image?: string; user?: boolean },
    ) => finish(await (await import('./commands/export.js')).exportFile(target, file, opts)),
  );

const daemon = program.command('daemon').description('manage the daemon explicitly');
for (const verb of ['start', 'stop', 'status'] as const) {
  const command = daemon.command(verb).description(`${verb} the daemon of ORCH_HOME`).addOption(outputOption());
  // SPEC §12: GET /metrics over HTTP, loopback unless --metrics-public.
  if (verb === 'start') {
    command
      .option('--metrics <host:port>', 'serve GET /metrics on this address (e.g. 127.0.0.1:9464; same as ORCH_METRICS_ADDR)')
      .option('--metrics-public', 'allow a --metrics address that is not loopback (the metrics name every app and process)');
  }
  command.action(async (opts: { output: 'human' | 'json'; metrics?: string; metricsPublic?: boolean }) =>
    finish(await (await import('./commands/daemon.js')).daemonVerb(verb, opts)),
  );
}

// WARNING: commander's "did you mean" would propose `stop` for `orch top`. Unknown verbs get our
// own suggestion, which never names a verb that stops or deletes something (SPEC §11).
for (const parent of [program, daemon]) {
  parent.on('command:*', (operands: string[]) => {
    const candidates = parent.commands.flatMap((c) => [c.name(), ...c.aliases()]);
    parent.error(`error: unknown command '${operands[0] ?? ''}'${suggestionFor(operands[0] ?? '', candidates)}`, { code: 'commander.unknownCommand' });
  });
}

function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new CommanderError(2, 'orch.usage', `error: expected a port from 1 to 65535, got '${v}'`);
  return n;
}

function parseCount(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new CommanderError(2, 'orch.usage', `error: expected a whole number >= 0, got '${v}'`);
  return n;
}

/** Parses argv and runs the command; a failure is printed and becomes the exit code. */
export const runProgram = async (argv: readonly string[]): Promise<void> => {
  try {
    await program.parseAsync([...argv]);
  } catch (e) {
    process.exitCode = exitCodeOf(e);
  }
};
