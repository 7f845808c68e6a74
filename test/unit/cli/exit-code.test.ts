import { describe, expect, it } from 'vitest';
import { jsonErrorOf } from '../../../src/cli/exit-code.js';
import { OrchError } from '../../../src/errors.js';

describe('jsonErrorOf', () => {
  it('an OrchError becomes { ok: false, error: { code, message } }', () => {
    expect(jsonErrorOf(new OrchError('ORCH_UNKNOWN_GENERATION', 'no generation 9'))).toEqual({
      ok: false,
      error: { code: 'ORCH_UNKNOWN_GENERATION', message: 'no generation 9' },
    });
  });

  it('anything else is not a user error and gets no JSON', () => {
    expect(jsonErrorOf(new Error('bug'))).toBeUndefined();
    expect(jsonErrorOf('text')).toBeUndefined();
  });
});
