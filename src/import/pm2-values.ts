// PM2 values in orch's shapes: durations, sizes, word lists, `run`. Pure.

/** A duration as orch writes it, from PM2's milliseconds or `/[0-9]+(h|m|s)?/` strings. */
export const toDuration = (v: unknown): number | string | undefined => {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return Math.round(v);
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (/^\d+$/.test(s)) return Number(s);
  return /^\d+(ms|s|m|h)$/.test(s) ? s : undefined;
};

/** Milliseconds of a duration from toDuration. */
export const durationMs = (d: number | string): number => {
  if (typeof d === 'number') return d;
  const m = /^(\d+)(ms|s|m|h)$/.exec(d);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m?.[2] ?? 'ms') as 'ms'];
  return Number(m?.[1] ?? 0) * unit;
};

/** A size as orch writes it, from PM2's bytes or `200M` (PM2 and orch both count K as 1024). */
export const toSize = (v: unknown): number | string | undefined => {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 1) return Math.round(v);
  if (typeof v !== 'string') return undefined;
  const m = /^(\d+)\s*([KMG])?B?$/i.exec(v.trim());
  if (m === null) return undefined;
  return m[2] === undefined ? Number(m[1]) : `${m[1]}${m[2].toUpperCase()}`;
};

// PM2's own split of a string of arguments (lib/tools/Config.js): `k="a b"` stays one word with
// its quotes, a quoted string loses them, anything else splits on white space.
const WORD = /([\w-]+="[^"]*")|([\w-]+='[^']*')|"([^"]*)"|'([^']*)'|(\S+)/g;

/** Words from PM2's `args` / `node_args`: a list as it is, a string split as PM2 splits it. */
export const toWords = (v: unknown): string[] | undefined => {
  if (Array.isArray(v)) return v.map((w) => (typeof w === 'string' ? w : JSON.stringify(w)));
  if (typeof v === 'number' || typeof v === 'boolean') return [String(v)];
  if (typeof v !== 'string') return undefined;
  return [...v.matchAll(WORD)].map((m) => m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5] ?? '');
};

/** orch interpolates `${VAR}` in every string: a literal one from PM2 is written `$${VAR}`. */
// WARNING: a function, not the string '$${': in a replacement string `$$` means one `$`.
export const literal = (s: string): string => s.replaceAll('${', () => '$${');

const PLAIN = /^[\w@%+=:,./-]+$/;

/** `run` as a string when every word reads the same unquoted, else as an argv list. */
export const toRun = (argv: readonly string[]): string | string[] =>
  argv.every((w) => PLAIN.test(w)) ? argv.map(literal).join(' ') : argv.map(literal);

/** A valid orch app name from PM2's (`My API` → `my-api`). */
export const toAppName = (name: string): string => {
  const n = name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return n === '' ? 'app' : n;
};

export const APP_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
