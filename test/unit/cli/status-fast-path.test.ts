import { describe, expect, it } from 'vitest';
import { statusFastPath } from '../../../src/cli/status-fast-path.js';

describe('statusFastPath', () => {
  it.each([
    [['status'], { output: 'human' }],
    [['ls'], { output: 'human' }],
    [['list', '-o', 'json'], { output: 'json' }],
    [['status', '-o', 'json'], { output: 'json' }],
    [['ls', '--output', 'human'], { output: 'human' }],
    [['status', '--output=json'], { output: 'json' }],
  ])('%j takes the fast path', (argv, expected) => {
    expect(statusFastPath(argv)).toEqual(expected);
  });

  it.each([[[]], [['apply']], [['status', '--help']], [['status', '-o', 'xml']], [['status', '-o']], [['status', 'extra']], [['status', '--output=']], [['status', '--project', 'p']], [['--version']]])(
    '%j goes to the full parser',
    (argv) => {
      expect(statusFastPath(argv)).toBeUndefined();
    },
  );
});
