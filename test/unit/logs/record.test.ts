import { describe, expect, it } from 'vitest';
import { appsWithLogs } from '../../../src/logs/files.js';
import { mergeByTime } from '../../../src/logs/merge.js';
import { formatBlock, parseRecord, recordPrefix } from '../../../src/logs/record.js';
import { logSettingsFromEnv } from '../../../src/logs/settings.js';

const T = '2025-01-02T03:04:05.678Z';

describe('records', () => {
  it('formats a block of lines with one prefix each and parses them back', () => {
    const text = formatBlock(recordPrefix(T, 'web.api', 2, 'err'), 'a\n\nc d');
    expect(text).toBe(`${T} web.api#2 err a\n${T} web.api#2 err \n${T} web.api#2 err c d\n`);
    expect(text.split('\n').slice(0, -1).map(parseRecord)).toEqual([
      { time: T, app: 'web.api', instance: 2, stream: 'err', line: 'a' },
      { time: T, app: 'web.api', instance: 2, stream: 'err', line: '' },
      { time: T, app: 'web.api', instance: 2, stream: 'err', line: 'c d' },
    ]);
  });

  it.each(['', 'garbage', `${T} web#x out a`, `${T} web#0 foo a`, `${T} web#0 out`])('rejects %j', (line) => {
    expect(parseRecord(line)).toBeUndefined();
  });
});

describe('appsWithLogs', () => {
  it('finds apps from live and rotated files only', () => {
    expect(appsWithLogs(['b.log', 'a.log.1', 'a.log', 'x.log.log', 'c.log.2', 'notes.txt', 'd.log.tmp'])).toEqual(['a', 'b', 'c', 'x.log']);
  });
});

describe('mergeByTime', () => {
  const at = (s: number, text: string) => `2025-01-01T00:00:0${s}.000Z ${text}`;
  it('interleaves sources by time, stable on ties, never reordering one source', () => {
    const a = [at(1, 'a1'), at(3, 'a2'), at(2, 'a3')];
    const b = [at(1, 'b1'), at(2, 'b2'), at(4, 'b3')];
    expect(mergeByTime([a, b]).map((l) => l.slice(25))).toEqual(['a1', 'b1', 'b2', 'a2', 'a3', 'b3']);
    expect(mergeByTime([[], a])).toEqual(a);
  });
});

describe('logSettingsFromEnv', () => {
  it.each([
    [{}, { maxBytes: 10 * 1024 ** 2, keep: 5 }, 0],
    [{ ORCH_LOG_MAX_SIZE: '64K', ORCH_LOG_KEEP: '0' }, { maxBytes: 65536, keep: 0 }, 0],
    [{ ORCH_LOG_MAX_SIZE: '10MB', ORCH_LOG_KEEP: '-1' }, { maxBytes: 10 * 1024 ** 2, keep: 5 }, 2],
    [{ ORCH_LOG_MAX_SIZE: '0' }, { maxBytes: 10 * 1024 ** 2, keep: 5 }, 1],
  ])('%j', (env, settings, problems) => {
    const r = logSettingsFromEnv(env);
    expect(r.settings).toEqual(settings);
    expect(r.problems).toHaveLength(problems);
  });
});
