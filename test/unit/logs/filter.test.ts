import { describe, expect, it } from 'vitest';
import { parseLogTarget, parseSince, verdictOf } from '../../../src/logs/filter.js';

const line = (time: string, instance: number, stream: 'out' | 'err') => `${time} api#${instance} ${stream} hello`;

describe('parseLogTarget', () => {
  it.each([
    ['api', { app: 'api' }],
    ['api#2', { app: 'api', instance: 2 }],
    ['my.app#0', { app: 'my.app', instance: 0 }],
    ['api#', undefined],
    ['api#x', undefined],
    ['#1', undefined],
  ])('%s', (target, expected) => {
    expect(parseLogTarget(target)).toEqual(expected);
  });
});

describe('parseSince', () => {
  const now = Date.parse('2025-06-01T12:00:00.000Z');
  it.each([
    ['10m', '2025-06-01T11:50:00.000Z'],
    ['2h', '2025-06-01T10:00:00.000Z'],
    ['1d', '2025-05-31T12:00:00.000Z'],
    ['30s', '2025-06-01T11:59:30.000Z'],
    ['2025-01-31T12:00:00Z', '2025-01-31T12:00:00.000Z'],
    ['2025-01-31T14:00:00+02:00', '2025-01-31T12:00:00.000Z'],
    ['2025-01-31', '2025-01-31T00:00:00.000Z'],
    ['yesterday', undefined],
    ['1', undefined],
    ['10 minutes', undefined],
    ['2025-13-45', undefined],
  ])('%s', (value, expected) => {
    expect(parseSince(value, now)).toBe(expected);
  });
});

describe('verdictOf', () => {
  const t = '2025-06-01T12:00:00.000Z';
  it('keeps, skips and stops', () => {
    const v = verdictOf({ streams: ['err'], instance: 1, since: t });
    expect(v(line('2025-06-01T12:00:01.000Z', 1, 'err'))).toBe('keep');
    expect(v(line(t, 1, 'err'))).toBe('keep');
    expect(v(line('2025-06-01T12:00:01.000Z', 0, 'err'))).toBe('skip');
    expect(v(line('2025-06-01T12:00:01.000Z', 1, 'out'))).toBe('skip');
    expect(v(line('2025-06-01T11:59:59.999Z', 1, 'err'))).toBe('stop');
    expect(v('garbage')).toBe('skip');
  });
});
