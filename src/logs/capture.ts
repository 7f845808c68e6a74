// Captures instances' stdout/stderr line by line into `${home}/logs/${app}.log`, one append
// stream per app. Writes are asynchronous; when the file falls behind, the sources are paused
// (the children block on their pipes) instead of the daemon buffering without bound.
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { Logger } from 'pino';

export type StreamName = 'out' | 'err';

interface Sink {
  readonly file: WriteStream;
  readonly sources: Set<Readable>;
  closing: boolean;
  paused: boolean;
  readonly closed: Promise<void>;
}

/** Splits decoded chunks into lines; `end()` returns the unterminated last line, if any. */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  push(chunk: Buffer | string): string[] {
    const text = this.pending + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    const lines = text.split('\n');
    this.pending = lines.pop() ?? '';
    return lines.map(stripCr);
  }

  end(): string[] {
    const rest = this.pending + this.decoder.end();
    this.pending = '';
    return rest === '' ? [] : [stripCr(rest)];
  }
}

const stripCr = (line: string): string => (line.endsWith('\r') ? line.slice(0, -1) : line);

export const logFilePath = (home: string, app: string): string => join(home, 'logs', `${app}.log`);

export class LogCapture {
  private readonly sinks = new Map<string, Sink>();
  private dirReady = false;

  constructor(
    private readonly home: string,
    private readonly now: () => number,
    private readonly logger: Logger,
  ) {}

  /** Pipes one instance's output into its app's log; the source is read until it ends. */
  attach(app: string, index: number, name: StreamName, source: Readable | null | undefined): void {
    if (source == null) return;
    const sink = this.sinkFor(app);
    sink.sources.add(source);
    const splitter = new LineSplitter();
    const prefix = ` ${app}#${index} ${name} `;
    const write = (lines: readonly string[]): void => {
      if (lines.length === 0) return;
      const stamp = new Date(this.now()).toISOString();
      const text = lines.map((line) => `${stamp}${prefix}${line}\n`).join('');
      if (!sink.file.write(text)) this.pauseUntilDrained(sink);
    };
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      write(splitter.end());
      sink.sources.delete(source);
      if (sink.closing && sink.sources.size === 0) sink.file.end();
    };
    source.on('data', (chunk: Buffer | string) => write(splitter.push(chunk)));
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
    sink.closing = true;
    if (sink.sources.size === 0) {
      sink.file.end();
    } else {
      // A source held open by a stray process must not keep the file open forever.
      const timer = setTimeout(() => {
        for (const source of sink.sources) source.destroy();
        sink.file.end();
      }, graceMs);
      timer.unref();
      void sink.closed.then(() => clearTimeout(timer));
    }
    return sink.closed;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.sinks.keys()].map((app) => this.close(app)));
  }

  private sinkFor(app: string): Sink {
    const existing = this.sinks.get(app);
    if (existing !== undefined) return existing;
    if (!this.dirReady) {
      // Once per daemon, before the first log file is opened.
      mkdirSync(join(this.home, 'logs'), { recursive: true });
      this.dirReady = true;
    }
    const file = createWriteStream(logFilePath(this.home, app), { flags: 'a' });
    const closed = new Promise<void>((resolve) => {
      file.once('close', resolve);
      file.once('error', () => resolve());
    });
    file.on('error', (err) => this.logger.error({ err, app }, 'cannot write log file'));
    const sink: Sink = { file, sources: new Set(), closing: false, paused: false, closed };
    this.sinks.set(app, sink);
    return sink;
  }

  private pauseUntilDrained(sink: Sink): void {
    if (sink.paused) return;
    sink.paused = true;
    for (const source of sink.sources) source.pause();
    sink.file.once('drain', () => {
      sink.paused = false;
      for (const source of sink.sources) source.resume();
    });
  }
}
