// Merges several apps' lines (each already in file order) by their leading ISO timestamp. A
// k-way merge, not a sort: one app's lines never change order, even if its clock stepped back.

const timeOf = (line: string): string => line.slice(0, line.indexOf(' '));

export const mergeByTime = (sources: readonly (readonly string[])[]): string[] => {
  const live = sources.filter((s) => s.length > 0);
  if (live.length <= 1) return [...(live[0] ?? [])];
  const at = live.map(() => 0);
  const out: string[] = [];
  for (;;) {
    let best = -1;
    let bestTime = '';
    for (let s = 0; s < live.length; s++) {
      const line = live[s]![at[s]!];
      if (line === undefined) continue;
      const time = timeOf(line);
      // Ties go to the earlier source, so the merge is stable.
      if (best === -1 || time < bestTime) {
        best = s;
        bestTime = time;
      }
    }
    if (best === -1) return out;
    out.push(live[best]![at[best]!]!);
    at[best]!++;
  }
};
