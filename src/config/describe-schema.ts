// What a schema expects, in words: the "must be ..." half of a schema error message. Derived
// from the schema itself so messages follow it; titled and patterned cases read better by hand.

type Schema = Readonly<Record<string, unknown>>;

const BY_TITLE: Readonly<Record<string, string>> = {
  Duration: 'a duration like "500ms", "5s", "2m" or "1h", or an integer of milliseconds',
  Size: 'a size like "512M" (a number of bytes with an optional K, M or G), or an integer of bytes',
  Port: 'an integer between 1 and 65535',
  Run: 'a command string or a non-empty list of strings',
  Watch: 'true, false or a map with paths, ignore and debounce',
  AppName: 'a lowercase letter or digit followed by up to 62 lowercase letters, digits, ".", "_" or "-"',
  EnvValue: 'a string, a number or a boolean',
};

const BY_PATTERN: Readonly<Record<string, string>> = {
  '^[a-z0-9][a-z0-9._-]{0,62}$': 'a lowercase letter or digit followed by up to 62 lowercase letters, digits, ".", "_" or "-"',
  '^/': 'a path starting with "/"',
  '^[A-Za-z_][A-Za-z0-9_]*$': 'a variable name (letters, digits and "_", not starting with a digit)',
  '^[^=]+$': 'a name without "="',
  '^\\d+(ms|s|m|h)$': 'a duration like "500ms", "5s", "2m" or "1h"',
  '^\\d+[KMG]?$': 'a size like "512M"',
};

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  object: 'a map',
  array: 'a list',
  null: 'empty',
};

export const describeSchema = (schema: unknown): string => {
  if (schema === null || typeof schema !== 'object') return 'valid';
  const s = schema as Schema;
  if (typeof s.title === 'string' && BY_TITLE[s.title] !== undefined) return BY_TITLE[s.title] as string;
  if (Array.isArray(s.anyOf)) return joinOr(s.anyOf.map(describeSchema));
  if ('const' in s) return JSON.stringify(s.const);
  if (Array.isArray(s.enum)) return `one of ${s.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  const type = typeof s.type === 'string' ? s.type : undefined;
  if (type === 'integer' || type === 'number') return describeNumber(type, s);
  if (type === 'string') {
    if (typeof s.pattern === 'string') return BY_PATTERN[s.pattern] ?? `a string matching ${s.pattern}`;
    return s.minLength === 1 ? 'a non-empty string' : 'a string';
  }
  if (type === 'array') {
    const items = s.items as Schema | undefined;
    const of = items?.type === 'string' ? ' of strings' : '';
    return `${s.minItems === 1 ? 'a non-empty list' : 'a list'}${of}`;
  }
  return (type !== undefined ? TYPE_NAMES[type] : undefined) ?? 'valid';
};

const describeNumber = (type: 'integer' | 'number', s: Schema): string => {
  const name = TYPE_NAMES[type] ?? type;
  const min = typeof s.minimum === 'number' ? s.minimum : undefined;
  const max = typeof s.maximum === 'number' ? s.maximum : undefined;
  if (min !== undefined && max !== undefined) return `${name} between ${min} and ${max}`;
  if (min !== undefined) return `${name} >= ${min}`;
  if (max !== undefined) return `${name} <= ${max}`;
  return name;
};

const joinOr = (parts: readonly string[]): string =>
  parts.length <= 1 ? (parts[0] ?? 'valid') : `${parts.slice(0, -1).join(', ')} or ${parts[parts.length - 1]}`;
