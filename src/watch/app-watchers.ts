// One watcher per app with `watch`, re-armed when the ecosystem file changes the set of apps or
// their watch settings; an app whose settings did not change keeps its watcher (no missed events).
import type { AppSpec } from '../config/desired.js';
import { watchPaths, type Watching } from './watchers.js';

export interface AppWatchEvents {
  onChange(app: string, path: string): void;
  onArmed(app: string, paths: readonly string[]): void;
  onError(app: string, e: Error): void;
}

interface Armed {
  readonly signature: string;
  readonly watching: Watching;
}

export class AppWatchers {
  private readonly armed = new Map<string, Armed>();

  constructor(
    private readonly exclude: readonly string[],
    private readonly events: AppWatchEvents,
  ) {}

  /** Converges the watchers to `apps`; resolves when every new watcher is ready. */
  async sync(apps: readonly AppSpec[]): Promise<void> {
    const wanted = new Map(apps.filter((a) => a.watch !== undefined).map((a) => [a.name, a]));
    const closing: Promise<void>[] = [];
    for (const [name, armed] of this.armed) {
      const app = wanted.get(name);
      if (app === undefined || signature(app) !== armed.signature) {
        closing.push(armed.watching.close());
        this.armed.delete(name);
      }
    }
    const opening: Promise<void>[] = [];
    for (const [name, app] of wanted) {
      if (this.armed.has(name)) continue;
      const watch = app.watch!;
      const watching = watchPaths(
        { paths: watch.paths, ignore: watch.ignore, exclude: this.exclude },
        (path) => this.events.onChange(name, path),
        (e) => this.events.onError(name, e),
      );
      this.armed.set(name, { signature: signature(app), watching });
      opening.push(watching.ready.then(() => this.events.onArmed(name, watch.paths)));
    }
    await Promise.all([...closing, ...opening]);
  }

  async close(): Promise<void> {
    const all = [...this.armed.values()].map((a) => a.watching.close());
    this.armed.clear();
    await Promise.all(all);
  }
}

const signature = (app: AppSpec): string => JSON.stringify({ paths: app.watch?.paths, ignore: app.watch?.ignore });
