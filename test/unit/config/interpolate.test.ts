import { describe, expect, it } from 'vitest';
import { interpolateText } from '../../../src/config/interpolate.js';
import { appOf, errorsOf } from './helpers.js';

describe('interpolateText', () => {
  const env = { HOST: 'db.local', EMPTY: '', PORT: '5432' };
  it.each([
    ['no expression', 'plain $HOME text', 'plain $HOME text'],
    ['a variable', 'postgres://${HOST}:${PORT}/app', 'postgres://db.local:5432/app'],
    ['default when unset', '${NOPE:-fallback}', 'fallback'],
    ['default when empty', '${EMPTY:-fallback}', 'fallback'],
    ['set value wins over default', '${HOST:-other}', 'db.local'],
    ['empty default', 'a${NOPE:-}b', 'ab'],
    ['default with spaces and colons', '${NOPE:-a b:c}', 'a b:c'],
    ['set but empty, no default', 'x${EMPTY}y', 'xy'],
    ['escaped', 'literal $${HOST}', 'literal ${HOST}'],
  ])('%s', (_name, text, expected) => {
    expect(interpolateText(text, env)).toEqual({ ok: true, text: expected });
  });

  it.each([
    ['unset', '${NOPE}', '${NOPE} is not set in the environment (set it, or write ${NOPE:-default})'],
    ['bad name', '${1A}', "invalid interpolation '${1A}': expected ${NAME} or ${NAME:-default}"],
    ['empty braces', '${}', "invalid interpolation '${}': expected ${NAME} or ${NAME:-default}"],
    ['unclosed', 'a ${HOST', "unclosed '${' (write '$${' for a literal '${')"],
  ])('%s is an error', (_name, text, message) => {
    expect(interpolateText(text, env)).toEqual({ ok: false, message });
  });
});

describe('interpolation in the file', () => {
  const yaml = (body: string): string => `version: 1\napps:\n  api:\n    run: node server.js\n${body}`;

  it('fills string values before validation, so an unquoted ${PORT} is a number', async () => {
    const { app } = await appOf(yaml('    port: ${PORT}\n    env: { URL: "http://${HOST:-localhost}" }\n'), 'api', {
      env: { PORT: '8080' },
    });
    expect(app.port).toBe(8080);
    expect(app.env).toEqual({ URL: 'http://localhost' });
  });

  it('accepts a quoted "${PORT}" that holds an integer', async () => {
    const { app } = await appOf(yaml('    port: "${PORT}"\n'), 'api', { env: { PORT: '3000' } });
    expect(app.port).toBe(3000);
  });

  it('types a whole unquoted expression only in canonical form, so env text is kept', async () => {
    const { app } = await appOf(yaml('    instances: ${N}\n    env:\n      ZIP: ${ZIP}\n      ON: ${ON}\n'), 'api', {
      env: { N: '3', ZIP: '007', ON: 'true' },
    });
    expect(app.instances).toBe(3);
    expect(app.env).toEqual({ ZIP: '007', ON: 'true' });
  });

  it('reports an unset variable at its value, once', async () => {
    expect(await errorsOf(yaml('    port: ${API_PORT}\n'))).toEqual([
      'ecosystem.yaml:5:11: apps.api.port: ${API_PORT} is not set in the environment (set it, or write ${API_PORT:-default})',
    ]);
  });

  it('reports a port that is not an integer after interpolation', async () => {
    expect(await errorsOf(yaml('    port: "${P}"\n'), { env: { P: '80a' } })).toEqual([
      'ecosystem.yaml:5:11: apps.api.port: must be an integer between 1 and 65535 after interpolation, got "80a"',
    ]);
    expect(await errorsOf(yaml('    port: "${P}"\n'), { env: { P: '99999' } })).toEqual([
      'ecosystem.yaml:5:11: apps.api.port: must be an integer between 1 and 65535 after interpolation, got "99999"',
    ]);
  });

  it('does not interpolate keys', async () => {
    const { app } = await appOf(yaml('    env: { "${X}": a }\n'), 'api', { env: { X: 'Y' } });
    expect(app.env).toEqual({ '${X}': 'a' });
  });
});
