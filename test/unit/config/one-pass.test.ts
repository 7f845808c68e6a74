// Validation in one pass (SPEC §9): the semantic checks run on every part of the file that the
// schema accepted; a check that reads a broken field stays quiet, so nothing is reported twice
// and nothing is judged on a stand-in value.
import { describe, expect, it } from 'vitest';
import { errorsOf } from './helpers.js';

const file = (body: string): string => `version: 1\n${body}`;

describe('one pass shows every error', () => {
  it.each([
    [
      'a schema error in one app hides no semantic error of another',
      'apps:\n  a:\n    run: node a.js\n    mode: cluster\n    instances: lots\n    port: 80\n  b:\n    run: y\n    port: 80\n',
      [
        'ecosystem.yaml:6:16: apps.a.instances: must be an integer >= 0 or "max", got "lots"',
        "ecosystem.yaml:10:11: apps.b.port: port 80 is already used by app 'a' (port 80)",
      ],
    ],
    [
      "a schema error hides no semantic error of the same app's other fields",
      'apps:\n  a:\n    run: x\n    instances: -2\n    ready: { type: http }\n    depends_on: [ghost]\n',
      [
        'ecosystem.yaml:5:16: apps.a.instances: must be an integer >= 0 or "max", got -2',
        'ecosystem.yaml:6:20: apps.a.ready.type: ready type "http" needs a port to probe',
        "ecosystem.yaml:7:18: apps.a.depends_on.0: app 'ghost' is not defined in apps",
      ],
    ],
    [
      'an unknown key in defaults hides nothing',
      'defaults:\n  restart: { polcy: always }\napps:\n  a:\n    run: x\n    port: 80\n  b:\n    run: y\n    port: 80\n',
      [
        "ecosystem.yaml:3:14: defaults.restart.polcy: unknown key 'polcy' (did you mean 'policy'?)",
        "ecosystem.yaml:10:11: apps.b.port: port 80 is already used by app 'a' (port 80)",
      ],
    ],
    [
      'a broken default is reported once, and an app that overrides it is still checked',
      'defaults:\n  mode: pool\napps:\n  a:\n    run: x\n  b:\n    run: y\n  c:\n    run: nosuch\n    mode: cluster\n',
      [
        'ecosystem.yaml:3:9: defaults.mode: must be one of "fork", "cluster", "socket", got "pool"',
        "ecosystem.yaml:10:10: apps.c.run: mode cluster runs Node scripts only (node or a .js/.mjs/.cjs file), got 'nosuch'; use mode socket to share a port between instances of any other program",
      ],
    ],
    ['a missing run hides no other field of its app', 'apps:\n  a:\n    port: 80\n    ready: { type: listening }\n', [
      "ecosystem.yaml:3:3: apps.a: missing required key 'run'",
      'ecosystem.yaml:5:20: apps.a.ready.type: ready type "listening" needs mode cluster, got mode fork',
    ]],
    [
      'a bad app name is a label: the app is still checked',
      'apps:\n  Api:\n    run: x\n    port: 80\n  b:\n    run: y\n    port: 80\n',
      [
        'ecosystem.yaml:3:3: apps.Api: invalid app name \'Api\': expected a lowercase letter or digit followed by up to 62 lowercase letters, digits, ".", "_" or "-"',
        "ecosystem.yaml:8:11: apps.b.port: port 80 is already used by app 'Api' (port 80)",
      ],
    ],
  ])('%s', async (_name, body, expected) => {
    expect(await errorsOf(file(body))).toEqual(expected);
  });
});

describe('nothing judged on a stand-in value', () => {
  it.each([
    ['a broken mode is not "fork" for readiness', 'apps:\n  a:\n    run: x\n    mode: pool\n    ready: { type: listening }\n', [
      'ecosystem.yaml:5:11: apps.a.mode: must be one of "fork", "cluster", "socket", got "pool"',
    ]],
    ['a broken port is not "no port"', 'apps:\n  a:\n    run: x\n    port: 0\n    ready: { type: tcp }\n', [
      'ecosystem.yaml:5:11: apps.a.port: must be an integer between 1 and 65535, got 0',
    ]],
    ['a broken port in socket mode', 'apps:\n  a:\n    run: x\n    mode: socket\n    port: 70000\n', [
      'ecosystem.yaml:6:11: apps.a.port: must be an integer between 1 and 65535, got 70000',
    ]],
    ['an unset variable is not a value', 'apps:\n  a:\n    run: x\n    port: ${ORCH_NOPE}\n    ready: { type: http }\n', [
      'ecosystem.yaml:5:11: apps.a.port: ${ORCH_NOPE} is not set in the environment (set it, or write ${ORCH_NOPE:-default})',
    ]],
    ['a port that is no integer after interpolation claims nothing', 'apps:\n  a:\n    run: x\n    port: "${ORCH_P:-eighty}"\n  b:\n    run: y\n    port: 80\n', [
      'ecosystem.yaml:5:11: apps.a.port: must be an integer between 1 and 65535 after interpolation, got "eighty"',
    ]],
    ['a fork range of unknown size claims nothing', 'apps:\n  a:\n    run: x\n    port: 3000\n    instances: lots\n  b:\n    run: y\n    port: 3001\n', [
      'ecosystem.yaml:6:16: apps.a.instances: must be an integer >= 0 or "max", got "lots"',
    ]],
    ['a broken depends_on is no dependency, and closes no cycle', 'apps:\n  a:\n    run: x\n    depends_on: [b, 3]\n  b:\n    run: y\n    depends_on: [a]\n', [
      'ecosystem.yaml:5:21: apps.a.depends_on.1: must be a lowercase letter or digit followed by up to 62 lowercase letters, digits, ".", "_" or "-", got 3',
    ]],
    ['a broken depends_on does not stand in as the default one', 'defaults:\n  depends_on: [ghost]\napps:\n  a:\n    run: x\n    depends_on: b\n  ghost:\n    run: y\n', [
      // ghost inherits [ghost] and does form a cycle; a's own list is broken, so a is left out.
      'ecosystem.yaml:3:16: defaults.depends_on.0: depends_on forms a cycle: ghost -> ghost',
      'ecosystem.yaml:7:17: apps.a.depends_on: must be a list, got "b"',
    ]],
    ['a run that cannot be split is not a command', 'apps:\n  a:\n    run: nosuch | grep x\n', [
      "ecosystem.yaml:4:10: apps.a.run: the shell operator '|' needs a shell: set 'shell: true'",
    ]],
    ['a broken backoff bound is not compared', 'apps:\n  a:\n    run: x\n    restart: { backoff: { initial: 10s, max: soon } }\n', [
      'ecosystem.yaml:5:46: apps.a.restart.backoff.max: must be a duration like "500ms", "5s", "2m" or "1h", or an integer of milliseconds, got "soon"',
    ]],
    ['a broken cwd is not the file directory', 'apps:\n  a:\n    run: node nosuch.js\n    cwd: [a]\n', [
      'ecosystem.yaml:5:10: apps.a.cwd: must be a non-empty string, got a list',
    ]],
  ])('%s', async (_name, body, expected) => {
    expect(await errorsOf(file(body))).toEqual(expected);
  });
});
