// Captures instances' stdout/stderr line by line into `${home}/logs/${app}.log` (rotated by
// size, see settings.ts), one writer per app. Writes are asynchronous; when an app's file falls
// behind, that app's sources are paused (its children block on their pipes: backpressure, not
// loss) instead of the daemon buffering without bound. Other apps are not affected. When the
// file cannot be written at all (a full disk), the app's lines are dropped and counted per app
// (`droppedLines`, shown by `orch status`), the app keeps running, and capture resumes by itself.
import { mkdirSync } from 'node:fs';
import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { appsWithLogs, logDir, logFilePath, logFilesOf } from './files.js';
import { LineSplitter } from './line-splitter.js';
import { formatBlock, recordPrefix, type StreamName } from './record.js';
import { RotatingWriter } from './rotating-writer.js';
import { logSettingsFromEnv, type LogSettings } from './settings.js';

export interface CaptureOptions {
  readonly settings?: LogSettings;
  readonly highWaterMark?: number;
  readonly maxLineLength?: number;
  /** Told when an app's lines start being dropped (its file cannot be written) and when capture resumes (the event log). */
  readonly onOutage?: (app: string, outage: { readonly type: 'dropping'; readonly reason: string } | { readonly type: 'resumed'; readonly droppedLines: number }) => void;
}

/** What the capture has done so far, for tests and the daemon log. */
export interface CaptureStats {
  /** Lines longer than the limit, broken into several records (no data dropped). */
  readonly forcedBreaks: number;
  /** Bytes that could not be written (a failing disk); reported on the daemon log too. */
  readonly lostBytes: number;
  /** Lines dropped because their file could not be written, all apps together. */
  readonly droppedLines: number;
  readonly rotations: number;
  /** Times an app's sources were paused because its file fell behind. */
  readonly pauses: number;
}

interface Sink {
  readonly writer: RotatingWriter;
  readonly sources: Set<Readable>;
  closing: boolean;
  paused: boolean;
}

export class LogCapture {
  private readonly sinks = new Map<string, Sink>();
  private dirReady = false;
  private readonly settings: LogSettings;
  private readonly stats_ = { forcedBreaks: 0, lostBytes: 0, rotations: 0, pauses: 0 };
  /** Dropped lines of apps whose log is closed (removed apps). */
  private droppedByClosed = 0;

  constructor(
    private readonly home: string,
    private readonly now: () => number,
    private readonly logger: Logger,
    private readonly options: CaptureOptions = {},
  ) {
    if (options.settings !== undefined) {
      this.settings = options.settings;
    } else {
      const { settings, problems } = logSettingsFromEnv(process.env);
      for (const problem of problems) this.logger.warn({ problem }, 'log setting ignored, using the default');
      this.settings = settings;
    }
  }

  stats(): CaptureStats {
    let droppedLines = this.droppedByClosed;
    for (const sink of this.sinks.values()) droppedLines += sink.writer.droppedLines;
    return { ...this.stats_, droppedLines };
  }

  /** Lines of `app` dropped because its log file could not be written (0 when none). */
  droppedLines(app: string): number {
    return this.sinks.get(app)?.writer.droppedLines ?? 0;
  }

  /** Pipes one instance's output into its app's log; the source is read until it ends. */
  attach(app: string, index: number, name: StreamName, source: Readable | null | undefined): void {
    if (source == null) return;
    const sink = this.sinkFor(app);
    sink.sources.add(source);
    const splitter = new LineSplitter(this.options.maxLineLength);
    let reportedBreaks = 0;
    const write = (block: string | undefined): void => {
      if (block === undefined) return;
      const prefix = recordPrefix(new Date(this.now()).toISOString(), app, index, name);
      if (!sink.writer.write(formatBlock(prefix, block))) this.pauseUntilDrained(sink);
      if (splitter.forcedBreaks > reportedBreaks) {
        this.stats_.forcedBreaks += splitter.forcedBreaks - reportedBreaks;
        // Once per source: the count at the end says how many more.
        if (reportedBreaks === 0) this.logger.warn({ app, index, stream: name }, 'line longer than the limit broken into several records');
        reportedBreaks = splitter.forcedBreaks;
      }
    };
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      write(splitter.endBlock());
      if (reportedBreaks > 0) this.logger.warn({ app, index, stream: name, forcedBreaks: reportedBreaks }, 'long lines were broken');
      sink.sources.delete(source);
      if (sink.closing && sink.sources.size === 0) void sink.writer.end();
    };
    source.on('data', (chunk: Buffer | string) => write(splitter.pushBlock(chunk)));
    if (sink.paused) source.pause();
    source.once('end', finish);
    source.once('close', finish);
    source.on('error', (err) => {
      this.logger.warn({ err, app, index, stream: name }, 'log source error');
      finish();
    });
  }

  /** Ends an app's log once its current sources end; resolves when the file is flushed. */
  close(app: string, graceMs = 1000): Promise<void> {
    const sink = this.sinks.get(app);
    if (sink === undefined) return Promise.resolve();
    this.sinks.delete(app);
    this.droppedByClosed += sink.writer.droppedLines;
    sink.closing = true;
    if (sink.sources.size === 0) return sink.writer.end();
    // The last source to finish ends the writer.
    const ended = new Promise<void>((resolve) => sink.writer.once('ended', resolve));
    // A source held open by a stray process must not keep the file open forever.
    const timer = setTimeout(() => {
      for (const source of sink.sources) source.destroy();
    }, graceMs);
    timer.unref();
    void ended.then(() => clearTimeout(timer));
    return ended;
  }

  /**
   * `orch flush [app]`: empties the log files of `app`, or of every app with files or a writer
   * (deleted apps' leftovers too), and returns the apps that had any, sorted. An app whose writer is
   * open keeps its live file (emptied in place, between two writes: the writer never writes to an
   * unlinked file); an app with no writer loses its files altogether.
   */
  async flush(app?: string): Promise<string[]> {
    const entries = await this.logEntries();
    const apps = [...new Set([...appsWithLogs(entries), ...this.sinks.keys()])].filter((a) => app === undefined || a === app).sort();
    for (const name of apps) {
      const sink = this.sinks.get(name);
      if (sink !== undefined) await sink.writer.truncate();
      const live = `${name}.log`;
      // What the writer did not know of (a rotated file past `keep`), or every file without a writer.
      for (const entry of logFilesOf(await this.logEntries(), name)) {
        if (sink !== undefined && entry === live) continue;
        await unlink(join(logDir(this.home), entry)).catch(() => undefined);
      }
    }
    return apps;
  }

  /** Closes the app's log (as `close`) and removes its files: a deleted app's logs go with it. */
  async remove(app: string): Promise<void> {
    await this.close(app);
    for (const entry of logFilesOf(await this.logEntries(), app)) await unlink(join(logDir(this.home), entry)).catch(() => undefined);
  }

  private logEntries(): Promise<string[]> {
    return readdir(logDir(this.home)).catch(() => []);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.sinks.keys()].map((app) => this.close(app)));
  }

  private sinkFor(app: string): Sink {
    const existing = this.sinks.get(app);
    if (existing !== undefined) return existing;
    if (!this.dirReady) {
      // Once per daemon, before the first log file is opened.
      mkdirSync(logDir(this.home), { recursive: true, mode: 0o700 });
      this.dirReady = true;
    }
    const writer = new RotatingWriter(logFilePath(this.home, app), this.settings, this.options.highWaterMark);
    let lostReported = 0;
    // WARNING: once per outage, not per batch: the daemon log may sit on the same full disk.
    writer.on('error', (err) => {
      this.stats_.lostBytes += writer.lostBytes - lostReported;
      lostReported = writer.lostBytes;
      this.logger.error({ err, app }, 'cannot write log file; its lines are dropped and counted until it can be written again');
      this.options.onOutage?.(app, { type: 'dropping', reason: err.message });
    });
    writer.on('resumed', (droppedLines) => {
      this.stats_.lostBytes += writer.lostBytes - lostReported;
      lostReported = writer.lostBytes;
      this.logger.warn({ app, droppedLines, droppedTotal: writer.droppedLines }, 'log file writable again; capture resumed');
      this.options.onOutage?.(app, { type: 'resumed', droppedLines });
    });
    writer.on('rotated', () => {
      this.stats_.rotations++;
    });
    const sink: Sink = { writer, sources: new Set(), closing: false, paused: false };
    this.sinks.set(app, sink);
    return sink;
  }

  private pauseUntilDrained(sink: Sink): void {
    if (sink.paused) return;
    sink.paused = true;
    this.stats_.pauses++;
    for (const source of sink.sources) source.pause();
    sink.writer.once('drain', () => {
      sink.paused = false;
      for (const source of sink.sources) source.resume();
    });
  }
}
