// `${VAR}` and `${VAR:-default}` in string values, filled from the caller's environment before
// validation, so the schema and the semantic checks see the values that will be used.
// `$${` writes a literal `${`. `:-` uses the default when VAR is unset or empty, like a shell.
// An unquoted scalar that is one whole interpolation and yields a canonical number or boolean
// (`port: ${PORT}` with PORT=8080) takes that type, as if the text had been written there;
// quoted scalars stay strings.
import { type Problem, type Segment, problem } from './diagnostics.js';
import { type PositionIndex, isPlainScalar } from './positions.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface Interpolated {
  readonly value: unknown;
  readonly problems: readonly Problem[];
  /** Paths whose value could not be interpolated: later checks stay quiet about them. */
  readonly failed: readonly (readonly Segment[])[];
}

const EXPR = /\$\$\{|\$\{([^}]*)\}|\$\{/g;
const INNER = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;

export const interpolateText = (
  text: string,
  env: Env,
): { ok: true; text: string } | { ok: false; message: string } => {
  if (!text.includes('${')) return { ok: true, text };
  let error: string | undefined;
  const out = text.replace(EXPR, (match: string, inner: string | undefined) => {
    if (match === '$${') return '${';
    if (inner === undefined) {
      error ??= `unclosed '\${' (write '$\${' for a literal '\${')`;
      return match;
    }
    const m = INNER.exec(inner);
    if (m === null) {
      error ??= `invalid interpolation '${match}': expected \${NAME} or \${NAME:-default}`;
      return match;
    }
    const name = m[1] ?? '';
    const value = env[name];
    if (m[2] !== undefined) return value === undefined || value === '' ? m[2] : value;
    if (value === undefined) {
      error ??= `\${${name}} is not set in the environment (set it, or write \${${name}:-default})`;
      return match;
    }
    return value;
  });
  return error === undefined ? { ok: true, text: out } : { ok: false, message: error };
};

export const interpolateDocument = (value: unknown, env: Env, positions: PositionIndex): Interpolated => {
  const problems: Problem[] = [];
  const failed: Segment[][] = [];
  const walk = (v: unknown, path: Segment[]): unknown => {
    if (typeof v === 'string') {
      const r = interpolateText(v, env);
      if (!r.ok) {
        problems.push(problem(path, 'value', r.message));
        failed.push(path);
        return v;
      }
      return r.text !== v && isPlainScalar(positions, path) && isWholeExpression(v) ? retype(r.text) : r.text;
    }
    if (Array.isArray(v)) return v.map((item, i) => walk(item, [...path, i]));
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) {
        Object.defineProperty(out, k, { value: walk(item, [...path, k]), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    return v;
  };
  return { value: walk(value, []), problems, failed };
};

const isWholeExpression = (text: string): boolean => /^\$\{[^}]*\}$/.test(text);

/** Only canonical forms, so that turning the value back into a string gives the same text. */
const retype = (text: string): unknown => {
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(text) && String(Number(text)) === text) return Number(text);
  return text;
};
