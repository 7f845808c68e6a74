const UNITS: Readonly<Record<string, number>> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

/** A schema-valid size (`512M`, `1G`, `4096` or an integer) in bytes; K, M, G are powers of 1024. */
export const sizeBytes = (value: string | number): number => {
  if (typeof value === 'number') return value;
  const match = /^(\d+)([KMG]?)$/.exec(value);
  if (match === null) throw new Error(`not a size: ${value}`);
  return Number(match[1]) * (UNITS[match[2] ?? ''] ?? 1);
};
