// One captured line on disk: `<ISO time> <app>#<instance> <out|err> <text>\n`. App names cannot
// contain spaces or '#' (schema), so the fields parse back unambiguously.
export type StreamName = 'out' | 'err';

/**
 * A parsed log line; also the shape `orch logs --output json` prints, one object per line
 * (NDJSON): `{"time":"2025-01-01T00:00:00.000Z","app":"web","instance":0,"stream":"out","line":"…"}`.
 * `time` is the ISO-8601 UTC time the daemon read the line; `line` is the text without its
 * newline (a trailing '\r' is removed).
 */
export interface LogRecord {
  readonly time: string;
  readonly app: string;
  readonly instance: number;
  readonly stream: StreamName;
  readonly line: string;
}

/** The prefix of every record of one instance's stream at one instant. */
export const recordPrefix = (time: string, app: string, instance: number, stream: StreamName): string =>
  `${time} ${app}#${instance} ${stream} `;

/** Formats a block of lines (joined by '\n') as records, each ending in '\n'. */
export const formatBlock = (prefix: string, block: string): string => `${prefix}${block.replaceAll('\n', `\n${prefix}`)}\n`;

/** Parses one stored line; undefined when it is not a record orch wrote. */
export const parseRecord = (text: string): LogRecord | undefined => {
  const timeEnd = text.indexOf(' ');
  const tagEnd = text.indexOf(' ', timeEnd + 1);
  const streamEnd = tagEnd + 4;
  if (timeEnd <= 0 || tagEnd === -1 || text[streamEnd] !== ' ') return undefined;
  const tag = text.slice(timeEnd + 1, tagEnd);
  const hash = tag.lastIndexOf('#');
  const stream = text.slice(tagEnd + 1, streamEnd);
  const instance = Number(tag.slice(hash + 1));
  if (hash <= 0 || !Number.isInteger(instance) || (stream !== 'out' && stream !== 'err')) return undefined;
  return { time: text.slice(0, timeEnd), app: tag.slice(0, hash), instance, stream, line: text.slice(streamEnd + 1) };
};
