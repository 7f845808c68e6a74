// A line chart in plain SVG: one line per series over a fixed time window, the y axis from 0 to
// the largest value. Small on purpose: no chart library for two kinds of line (README).
const NS = 'http://www.w3.org/2000/svg';
const W = 600;
const H = 140;
const PAD = { left: 52, right: 8, top: 8, bottom: 18 };
export const COLORS = ['#4ea1ff', '#3fb950', '#d29922', '#f85149', '#bc8cff', '#39c5cf', '#ff7b72', '#a5d6ff'];

export interface Series {
  readonly name: string;
  readonly points: readonly { readonly time: number; readonly value: number }[];
}

const svg = <K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] => {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
};

export const renderChart = (
  into: HTMLElement,
  series: readonly Series[],
  { now, windowMs, format }: { now: number; windowMs: number; format: (v: number) => string },
): void => {
  const max = Math.max(0, ...series.flatMap((s) => s.points.map((p) => p.value)));
  const top = max === 0 ? 1 : max * 1.1;
  const x = (t: number) => PAD.left + ((t - (now - windowMs)) / windowMs) * (W - PAD.left - PAD.right);
  const y = (v: number) => H - PAD.bottom - (v / top) * (H - PAD.top - PAD.bottom);
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img' });
  for (const f of [0, 0.5, 1]) {
    const v = top * f;
    root.append(svg('line', { x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v), stroke: '#2a313a', 'stroke-width': 1 }));
    const label = svg('text', { x: PAD.left - 4, y: y(v) + 4, 'text-anchor': 'end', fill: '#7d8590', 'font-size': 10 });
    label.textContent = format(v);
    root.append(label);
  }
  const span = windowMs >= 120_000 ? `-${Math.round(windowMs / 60_000)} min` : `-${Math.round(windowMs / 1000)} s`;
  for (const [text, at] of [[span, now - windowMs], ['now', now]] as const) {
    const label = svg('text', { x: x(at), y: H - 4, 'text-anchor': at === now ? 'end' : 'start', fill: '#7d8590', 'font-size': 10 });
    label.textContent = text;
    root.append(label);
  }
  series.forEach((s, k) => {
    const visible = s.points.filter((p) => p.time >= now - windowMs);
    if (visible.length === 0) return;
    const color = COLORS[k % COLORS.length]!;
    const d = visible.map((p) => `${x(p.time).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
    root.append(svg('polyline', { points: d, fill: 'none', stroke: color, 'stroke-width': 1.5, 'vector-effect': 'non-scaling-stroke' }));
  });
  const legend = document.createElement('div');
  legend.className = 'legend';
  series.forEach((s, k) => {
    const item = document.createElement('span');
    item.style.color = COLORS[k % COLORS.length]!;
    item.textContent = `■ ${s.name}`;
    legend.append(item);
  });
  into.replaceChildren(root, legend);
};
