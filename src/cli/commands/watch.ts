// `orch apply --watch [file]` (SPEC §8): apply, then stay in the foreground. A save of the
// ecosystem file re-applies it (an invalid one is reported and nothing changes); a change under
// an app's `watch` paths reloads that app only. File events become coalesced requests keyed
// `apply` / `reload:<app>` (src/watch/coalescer.ts): a burst is one request, never stacked.
import { relative, resolve } from 'node:path';
import type { DesiredState } from '../../config/desired.js';
import { formatDiagnostic, formatWarning } from '../../config/desired.js';
import { loadEcosystem } from '../../config/load.js';
import { DaemonClient } from '../../daemon/client.js';
import { homePaths } from '../../daemon/paths.js';
import { OrchError } from '../../errors.js';
import { sharesPort } from '../../config/modes.js';
import { AppWatchers } from '../../watch/app-watchers.js';
import { Coalescer } from '../../watch/coalescer.js';
import { MIN_DEBOUNCE_MS, watchFile } from '../../watch/watchers.js';
import { gitSource } from '../git-source.js';
import type { OutputFormat } from '../output.js';
import { eprintln, paint, println, useColor } from '../output.js';
import { describeResult, showApply } from './apply.js';
import { invalidFileReport } from '../load-file.js';

/** A save of the ecosystem file is usually one write, but editors may write it in pieces. */
const FILE_DEBOUNCE_MS = 100;
const APPLY = 'apply';
const RELOAD = 'reload:';

export const applyWatch = async (file: string, opts: { output: OutputFormat }): Promise<void> => {
  if (opts.output !== 'human') throw new OrchError('ORCH_USAGE', '--watch prints a stream of events for people: use it without --output json');
  const path = resolve(file);
  const home = homePaths();
  const color = useColor();
  let desired: DesiredState | undefined;

  const say = (text: string): void => println(`${paint.dim(color, `[${clock()}]`)} ${text}`);
  const shown = (p: string): string => relative(process.cwd(), p) || p;

  const apps = new AppWatchers([path, home.home], {
    onChange: (app, changed) => {
      const spec = desired?.apps.find((a) => a.name === app);
      coalescer.trigger(`${RELOAD}${app}`, shown(changed), Math.max(MIN_DEBOUNCE_MS, spec?.watch?.debounceMs ?? 200));
    },
    onArmed: (app, paths) => say(`watching ${app}: ${paths.map(shown).join(', ')}`),
    onError: (app, e) => eprintln(`orch: watching ${app}: ${e.message}`),
  });

  let firstApplied: () => void = () => {};
  const firstApply = new Promise<void>((done) => (firstApplied = done));

  const applyFile = async (reasons: readonly string[]): Promise<void> => {
    try {
      await applyLoaded(reasons);
    } finally {
      firstApplied();
    }
  };

  const applyLoaded = async (reasons: readonly string[]): Promise<void> => {
    const loaded = await loadEcosystem(path, { env: process.env });
    if (!loaded.ok) {
      const n = loaded.errors.length;
      eprintln(
        invalidFileReport(file, loaded.errors.map(formatDiagnostic), loaded.warnings.map(formatWarning), 'nothing was changed, the running apps are left as they are'),
      );
      say(paint.red(color, `${file} is invalid (${n} error${n === 1 ? '' : 's'}): still watching`));
      return;
    }
    if (reasons[0] !== 'start') say(`${file} changed: applying`);
    const [client, source] = await Promise.all([DaemonClient.connect(home), gitSource(path)]);
    try {
      await showApply(loaded.desired.project, { output: 'human' }, (onEvent) => client.request('apply', { desired: loaded.desired, source }, onEvent));
    } finally {
      // A failed apply is reported, not an exit: the watcher keeps going and Ctrl-C exits 0.
      client.close();
    }
    desired = loaded.desired;
    await apps.sync(desired.apps);
  };

  const reloadApp = async (app: string, reasons: readonly string[]): Promise<void> => {
    const spec = desired?.apps.find((a) => a.name === app);
    if (spec === undefined) return; // removed from the file since the event
    const reason = `${describeReasons(reasons)} changed`;
    say(`${app}: ${reason}: reloading`);
    const client = await DaemonClient.connect(home);
    try {
      const result = await client.request('reload', { app, reason });
      const note = result.ok && !sharesPort(spec) ? paint.yellow(color, ' (fork mode: a reload is a restart, service was interrupted)') : '';
      say(`${describeResult(result, color)}${note}`);
    } finally {
      client.close();
    }
  };

  const coalescer = new Coalescer({
    run: (key, reasons) => (key === APPLY ? applyFile(reasons) : reloadApp(key.slice(RELOAD.length), reasons)),
    onError: (key, e) => eprintln(`orch: ${key === APPLY ? 'apply' : key}: ${e instanceof Error ? e.message : String(e)}`),
  });

  const fileWatch = watchFile(
    path,
    () => coalescer.trigger(APPLY, file, FILE_DEBOUNCE_MS),
    (e) => eprintln(`orch: watching ${file}: ${e.message}`),
  );
  await fileWatch.ready;
  coalescer.trigger(APPLY, 'start', 0);
  await firstApply;

  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    say(`watching ${file} (Ctrl-C to stop; the apps keep running)`);
  });

  // The daemon finishes whatever request is in flight on its own; nothing here waits for it.
  void coalescer.close();
  await Promise.all([fileWatch.close(), apps.close()]);
  say('stopped watching; the apps keep running');
  process.exit(0);
};

const describeReasons = (reasons: readonly string[]): string =>
  reasons.length <= 3 ? reasons.join(', ') : `${reasons.slice(0, 3).join(', ')} and ${reasons.length - 3} more`;

const clock = (): string => new Date().toTimeString().slice(0, 8);
