// The shape of each method's params, checked by the server before any handler runs: a request
// that fails here changes nothing, on disk or in memory (SPEC §10). Hand-written, small and pure.
// `apply` is checked field by field down to each AppSpec, so nothing malformed reaches the state
// file. Unknown extra keys are allowed (a newer CLI of the same protocol may send more).
import type { Method } from './protocol.js';

/** The first problem found, as "<path>: expected <what>", or undefined when the value fits. */
type Check = (value: unknown, path: string) => string | undefined;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const describe = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);
const expected = (path: string, what: string, v: unknown) => `${path}: expected ${what}, got ${describe(v)}`;

const str =
  ({ nonEmpty = false } = {}): Check =>
  (v, path) =>
    typeof v !== 'string' || (nonEmpty && v === '') ? expected(path, nonEmpty ? 'a non-empty string' : 'a string', v) : undefined;
const bool: Check = (v, path) => (typeof v === 'boolean' ? undefined : expected(path, 'a boolean', v));
const num =
  ({ min = 0, integer = false, max = Number.MAX_SAFE_INTEGER } = {}): Check =>
  (v, path) =>
    typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max && (!integer || Number.isInteger(v))
      ? undefined
      : `${path}: expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${typeof v === 'number' ? v : describe(v)}`;
const int = (opts: { min?: number; max?: number } = {}): Check => num({ ...opts, integer: true });
const oneOf =
  (values: readonly string[]): Check =>
  (v, path) =>
    typeof v === 'string' && values.includes(v) ? undefined : `${path}: expected one of ${values.join(', ')}, got ${JSON.stringify(v) ?? 'nothing'}`;
/** Absent (JSON drops `undefined` fields) or fitting `check`. */
const optional =
  (check: Check): Check =>
  (v, path) =>
    v === undefined ? undefined : check(v, path);
const arrayOf =
  (check: Check, { nonEmpty = false } = {}): Check =>
  (v, path) => {
    if (!Array.isArray(v) || (nonEmpty && v.length === 0)) return expected(path, nonEmpty ? 'a non-empty array' : 'an array', v);
    for (const [i, item] of v.entries()) {
      const problem = check(item, `${path}[${i}]`);
      if (problem !== undefined) return problem;
    }
    return undefined;
  };
const recordOf =
  (check: Check): Check =>
  (v, path) => {
    if (!isObject(v)) return expected(path, 'an object', v);
    for (const [k, item] of Object.entries(v)) {
      const problem = check(item, `${path}.${k}`);
      if (problem !== undefined) return problem;
    }
    return undefined;
  };
const obj =
  (fields: Readonly<Record<string, Check>>): Check =>
  (v, path) => {
    if (!isObject(v)) return expected(path, 'an object', v);
    for (const [k, check] of Object.entries(fields)) {
      // WARNING: read own properties only: `v.constructor` of a plain object is inherited.
      const problem = check(Object.hasOwn(v, k) ? v[k] : undefined, `${path}.${k}`);
      if (problem !== undefined) return problem;
    }
    return undefined;
  };

const duration = num();
const appSpec = obj({
  name: str({ nonEmpty: true }),
  project: str({ nonEmpty: true }),
  command: arrayOf(str(), { nonEmpty: true }),
  shell: bool,
  cwd: str({ nonEmpty: true }),
  instances: int(),
  mode: oneOf(['fork', 'cluster', 'socket']),
  port: optional(int({ max: 65535 })),
  env: recordOf(str()),
  baseEnv: recordOf(str()),
  envFile: optional(str()),
  restart: obj({
    policy: oneOf(['always', 'on-failure', 'never']),
    backoff: obj({ initialMs: duration, maxMs: duration, factor: num() }),
    maxRestarts: int(),
    windowMs: duration,
    minUptimeMs: duration,
  }),
  shutdown: obj({ signal: str({ nonEmpty: true }), timeoutMs: duration }),
  ready: obj({ type: oneOf(['listening', 'message', 'notify', 'http', 'tcp', 'none']), path: str(), timeoutMs: duration, delayMs: duration }),
  reload: obj({ maxSurge: int(), maxUnavailable: int() }),
  watch: optional(obj({ paths: arrayOf(str()), ignore: arrayOf(str()), debounceMs: duration })),
  dependsOn: arrayOf(str()),
  maxMemoryBytes: optional(num()),
});

const desiredState: Check = (v, path) => {
  const shape = obj({ project: str({ nonEmpty: true }), file: str({ nonEmpty: true }), hash: str(), apps: arrayOf(appSpec) })(v, path);
  if (shape !== undefined) return shape;
  const { project, apps } = v as { project: string; apps: readonly { name: string; project: string }[] };
  const foreign = apps.findIndex((a) => a.project !== project);
  if (foreign !== -1) return `${path}.apps[${foreign}].project: expected '${project}', the desired state's project`;
  const names = apps.map((a) => a.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  return twice === undefined ? undefined : `${path}.apps: the app name '${twice}' appears twice`;
};

const none = obj({});
const app = obj({ app: str({ nonEmpty: true }) });
const generation = int({ min: 1 });

// WARNING: one entry per protocol method, enforced by the type: a method added to `Methods`
// without its shape here does not compile.
const PARAMS: { readonly [M in Method]: Check } = {
  hello: none,
  actual: none,
  status: none,
  apply: obj({ desired: desiredState, source: optional(obj({ commit: optional(str()), dirty: optional(bool) })) }),
  history: obj({ project: optional(str({ nonEmpty: true })) }),
  rollback: obj({ number: generation, project: optional(str({ nonEmpty: true })) }),
  stop: app,
  start: app,
  restart: app,
  reload: obj({ app: str({ nonEmpty: true }), reason: optional(str()) }),
  delete: app,
  down: obj({ project: str({ nonEmpty: true }) }),
  shutdown: none,
  describe: app,
  scale: obj({ app: str({ nonEmpty: true }), instances: int() }),
  flush: obj({ app: optional(str({ nonEmpty: true })) }),
  events: obj({ app: optional(str({ nonEmpty: true })), since: optional(num()), after: optional(int()) }),
  metrics: none,
  dashboard: obj({ port: optional(int({ max: 65535 })), host: optional(str({ nonEmpty: true })) }),
};

/** Why `params` are not what `method` takes, or undefined when they are. */
export const paramsProblem = (method: Method, params: unknown): string | undefined => PARAMS[method](params, 'params');
