// "Did you mean …?" for an unknown verb. Unlike commander's own, it never proposes a verb that
// stops, deletes or replaces something: `orch top` must not be answered with `stop` (SPEC §11).

/** Edits from a to b, a swap of two neighbours counting as one (optimal string alignment): `stauts` is 1 from `status`. */
export const editDistance = (a: string, b: string): number => {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
};

/** Verbs (and aliases) a typo must never be steered to: each stops, deletes or replaces processes or data. */
export const NEVER_SUGGESTED: ReadonlySet<string> = new Set(['stop', 'delete', 'down', 'flush', 'restart', 'rollback', 'scale']);

/**
 * The closest safe candidate, as `\n(Did you mean x?)`, or '' when none is close: at most 3 edits
 * and more than 40 % alike (commander's own thresholds).
 */
export const suggestionFor = (word: string, candidates: readonly string[]): string => {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of [...new Set(candidates)].sort()) {
    if (NEVER_SUGGESTED.has(c) || c.length <= 1) continue;
    const d = editDistance(word, c);
    const similarity = (Math.max(word.length, c.length) - d) / Math.max(word.length, c.length);
    if (d <= 3 && similarity > 0.4 && d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best === undefined ? '' : `\n(Did you mean ${best}?)`;
};
