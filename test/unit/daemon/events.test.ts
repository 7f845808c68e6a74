import { describe, expect, it } from 'vitest';
import { EventLog } from '../../../src/daemon/events.js';

describe('EventLog', () => {
  it('keeps the most recent events per app, oldest first, and forgets an app', () => {
    const log = new EventLog(3);
    for (let t = 1; t <= 10; t++) log.record({ time: t, app: t % 2 === 0 ? 'a' : 'b', instance: 0, type: 'started', pid: t });
    expect(log.of('a').map((e) => e.time)).toEqual([6, 8, 10]);
    expect(log.of('b').map((e) => e.time)).toEqual([5, 7, 9]);
    log.forget('a');
    expect(log.of('a')).toEqual([]);
    expect(log.of('nope')).toEqual([]);
  });
});
