/**
 * Small inline-SVG charts for the HTML report, no libraries: each returns one `<svg>` string with a
 * title, labelled axes and a legend where there are several series. Colours are the Okabe–Ito
 * palette, distinguishable with the common colour-vision deficiencies.
 */

export const PALETTE = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#56B4E9',
  '#D55E00',
  '#F0E442',
  '#000000',
];
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';
const AXIS = '#444';
const GRID = '#e3e3e3';

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** About `count` round tick values covering `[min, max]`. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (min === max) return niceTicks(min - (Math.abs(min) / 2 || 1), max + (Math.abs(max) / 2 || 1), count);
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const ticks: number[] = [];
  for (let t = Math.floor(min / step) * step; t <= max + step * 1e-9; t += step) ticks.push(round(t, step));
  if (ticks[ticks.length - 1]! < max) ticks.push(round(ticks[ticks.length - 1]! + step, step));
  return ticks;
}

function round(value: number, step: number): number {
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 2);
  return Number(value.toFixed(digits));
}

export function formatNumber(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (Number.isInteger(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e5)) return value.toExponential(2);
  return value.toFixed(digits);
}

/** A tick value without trailing zeros: 0.2, not 0.200. */
function formatTick(value: number): string {
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e5)) return value.toExponential(1);
  return String(Number(value.toPrecision(6)));
}

interface Frame {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

function open(frame: Frame, title: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${frame.width}" height="${frame.height}" viewBox="0 0 ${frame.width} ${frame.height}" ${FONT} font-size="12" role="img">` +
    `<title>${escapeXml(title)}</title><rect width="100%" height="100%" fill="#fff"/>` +
    `<text x="${frame.width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="600" fill="#222">${escapeXml(title)}</text>`
  );
}

/** Y axis with grid lines, X axis line, and both axis titles. */
function axes(
  frame: Frame,
  yTicks: readonly number[],
  y: (v: number) => number,
  labels: { x: string; y: string },
): string {
  const { width, height, left, right, top, bottom } = frame;
  let out = '';
  for (const t of yTicks) {
    out += `<line x1="${left}" x2="${width - right}" y1="${y(t)}" y2="${y(t)}" stroke="${GRID}"/>`;
    out += `<text x="${left - 6}" y="${y(t) + 4}" text-anchor="end" fill="${AXIS}">${formatTick(t)}</text>`;
  }
  out += `<line x1="${left}" x2="${width - right}" y1="${height - bottom}" y2="${height - bottom}" stroke="${AXIS}"/>`;
  out += `<line x1="${left}" x2="${left}" y1="${top}" y2="${height - bottom}" stroke="${AXIS}"/>`;
  out += `<text x="${(left + width - right) / 2}" y="${height - 8}" text-anchor="middle" fill="#222">${escapeXml(labels.x)}</text>`;
  out += `<text transform="translate(16 ${(top + height - bottom) / 2}) rotate(-90)" text-anchor="middle" fill="#222">${escapeXml(labels.y)}</text>`;
  return out;
}

function legend(frame: Frame, items: readonly { name: string; color: string; dashed?: boolean }[]): string {
  let x = frame.left;
  const y = frame.top - 12;
  let out = '';
  for (const item of items) {
    out += `<line x1="${x}" x2="${x + 22}" y1="${y}" y2="${y}" stroke="${item.color}" stroke-width="2.5"${item.dashed ? ' stroke-dasharray="6 4"' : ''}/>`;
    out += `<text x="${x + 27}" y="${y + 4}" fill="#222">${escapeXml(item.name)}</text>`;
    x += 40 + item.name.length * 7;
  }
  return out;
}

export interface LineSeries {
  readonly name: string;
  readonly values: readonly (number | null)[];
  readonly color: string;
  readonly dashed?: boolean;
}

/** Lines over epochs 1..n, with an optional dotted marker at `marker` (e.g. the best epoch). */
export function lineChart(args: {
  readonly title: string;
  readonly series: readonly LineSeries[];
  readonly xLabel: string;
  readonly yLabel: string;
  readonly marker?: { readonly at: number; readonly label: string };
  readonly width?: number;
  readonly logScale?: boolean;
}): string {
  const frame: Frame = { width: args.width ?? 460, height: 290, left: 62, right: 18, top: 54, bottom: 44 };
  const points = Math.max(1, ...args.series.map((s) => s.values.length));
  const scaled = (v: number) => (args.logScale ? Math.log10(v) : v);
  const all = args.series
    .flatMap((s) => s.values)
    .filter((v): v is number => v !== null && (!args.logScale || v > 0));
  const yTicks = args.logScale
    ? niceTicks(Math.floor(Math.min(...all.map(scaled))), Math.ceil(Math.max(...all.map(scaled))), 4)
    : niceTicks(Math.min(...all), Math.max(...all), 5);
  const [y0, y1] = [yTicks[0]!, yTicks[yTicks.length - 1]!];
  const plotW = frame.width - frame.left - frame.right;
  const plotH = frame.height - frame.top - frame.bottom;
  const x = (epoch: number) => frame.left + (points === 1 ? plotW / 2 : ((epoch - 1) / (points - 1)) * plotW);
  const yOfScaled = (v: number) => frame.top + plotH - ((v - y0) / (y1 - y0 || 1)) * plotH;
  const y = (v: number) => yOfScaled(scaled(v));
  let out = open(frame, args.title);
  out += axes(frame, yTicks, yOfScaled, { x: args.xLabel, y: args.yLabel });
  if (args.logScale) {
    // Tick labels are exponents on a log axis; rewrite them as powers of ten.
    out = out.replace(/>(-?\d+)<\/text>/g, (_, e: string) => `>1e${e}</text>`);
  }
  for (const epoch of niceTicks(1, points, Math.min(points - 1 || 1, 8)).filter(
    (e) => Number.isInteger(e) && e >= 1 && e <= points,
  )) {
    out += `<line x1="${x(epoch)}" x2="${x(epoch)}" y1="${frame.height - frame.bottom}" y2="${frame.height - frame.bottom + 5}" stroke="${AXIS}"/>`;
    out += `<text x="${x(epoch)}" y="${frame.height - frame.bottom + 18}" text-anchor="middle" fill="${AXIS}">${epoch}</text>`;
  }
  if (args.marker) {
    const mx = x(args.marker.at);
    out += `<line x1="${mx}" x2="${mx}" y1="${frame.top}" y2="${frame.height - frame.bottom}" stroke="#777" stroke-dasharray="2 3"/>`;
    const nearRight = mx > frame.left + plotW * 0.7;
    out += `<text x="${nearRight ? mx - 4 : mx + 4}" y="${frame.top + 12}" fill="#555" font-size="11"${nearRight ? ' text-anchor="end"' : ''}>${escapeXml(args.marker.label)}</text>`;
  }
  for (const s of args.series) {
    const path = s.values
      .map((v, i) =>
        v === null || (args.logScale && v <= 0) ? null : `${x(i + 1).toFixed(1)},${y(v).toFixed(1)}`,
      )
      .filter((p) => p !== null);
    if (path.length > 1) {
      out += `<polyline points="${path.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`;
    }
    if (path.length <= 20) {
      for (const p of path) {
        const [px, py] = p.split(',');
        out += `<circle cx="${px}" cy="${py}" r="3" fill="${s.color}"/>`;
      }
    }
  }
  out += legend(frame, args.series);
  return `${out}</svg>`;
}

/** Confusion matrix: rows are targets, columns predictions; cells shaded by row share, with counts. */
export function confusionHeatmap(args: {
  readonly title: string;
  readonly labels: readonly string[];
  readonly counts: readonly (readonly number[])[];
}): string {
  const k = args.labels.length;
  const cell = Math.max(26, Math.min(64, Math.floor(440 / Math.max(k, 1))));
  const longest = Math.max(1, ...args.labels.map((l) => l.length));
  const labelRoom = Math.min(150, 12 + longest * 7);
  const frame: Frame = {
    width: labelRoom + 40 + cell * k + 20,
    height: 40 + labelRoom + cell * k + 50,
    left: labelRoom + 40,
    right: 20,
    top: 40 + labelRoom,
    bottom: 50,
  };
  let out = open(frame, args.title);
  args.counts.forEach((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    row.forEach((count, j) => {
      const share = total === 0 ? 0 : count / total;
      const [fill, ink] = blueRamp(share);
      const cx = frame.left + j * cell;
      const cy = frame.top + i * cell;
      out += `<rect x="${cx}" y="${cy}" width="${cell}" height="${cell}" fill="${fill}" stroke="#fff"><title>${escapeXml(`target ${args.labels[i]} → predicted ${args.labels[j]}: ${count} (${(share * 100).toFixed(1)}% of row)`)}</title></rect>`;
      out += `<text x="${cx + cell / 2}" y="${cy + cell / 2 + 4}" text-anchor="middle" fill="${ink}" font-size="${cell < 34 ? 10 : 12}"${i === j ? ' font-weight="700"' : ''}>${count}</text>`;
    });
  });
  args.labels.forEach((label, i) => {
    const text = escapeXml(truncate(label, 20));
    out += `<text x="${frame.left - 6}" y="${frame.top + i * cell + cell / 2 + 4}" text-anchor="end" fill="${AXIS}">${text}</text>`;
    const lx = frame.left + i * cell + cell / 2 + 4;
    out += `<text transform="translate(${lx} ${frame.top - 6}) rotate(-60)" fill="${AXIS}">${text}</text>`;
  });
  out += `<text x="${frame.left + (cell * k) / 2}" y="${frame.top + cell * k + 24}" text-anchor="middle" fill="#222">predicted class</text>`;
  out += `<text transform="translate(16 ${frame.top + (cell * k) / 2}) rotate(-90)" text-anchor="middle" fill="#222">target class</text>`;
  out += `<text x="${frame.left}" y="${frame.height - 8}" fill="#666" font-size="11">shade: share of the target row</text>`;
  return `${out}</svg>`;
}

/** White to dark blue, with the text colour that stays legible on it. */
function blueRamp(share: number): [string, string] {
  const from = [247, 251, 255];
  const to = [8, 48, 107];
  const mix = from.map((f, c) => Math.round(f + (to[c]! - f) * share));
  return [`rgb(${mix.join(',')})`, share > 0.5 ? '#fff' : '#111'];
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Horizontal grouped bars: one group per category, one bar per series, values in [0, max]. */
export function groupedBars(args: {
  readonly title: string;
  readonly categories: readonly string[];
  readonly series: readonly { readonly name: string; readonly values: readonly (number | null)[] }[];
  readonly max?: number;
  readonly xLabel: string;
}): string {
  const bar = 12;
  const group = bar * args.series.length + 10;
  const longest = Math.max(1, ...args.categories.map((c) => c.length));
  const left = Math.min(170, 14 + longest * 7);
  const frame: Frame = {
    width: 560,
    height: 60 + group * args.categories.length + 48,
    left,
    right: 46,
    top: 60,
    bottom: 48,
  };
  const max = args.max ?? Math.max(1e-12, ...args.series.flatMap((s) => s.values.filter((v) => v !== null)));
  const plotW = frame.width - frame.left - frame.right;
  const x = (v: number) => frame.left + (v / max) * plotW;
  let out = open(frame, args.title);
  for (const t of niceTicks(0, max, 5).filter((t) => t <= max + 1e-12)) {
    out += `<line x1="${x(t)}" x2="${x(t)}" y1="${frame.top}" y2="${frame.height - frame.bottom}" stroke="${GRID}"/>`;
    out += `<text x="${x(t)}" y="${frame.height - frame.bottom + 16}" text-anchor="middle" fill="${AXIS}">${formatTick(t)}</text>`;
  }
  args.categories.forEach((category, i) => {
    const gy = frame.top + i * group;
    out += `<text x="${frame.left - 6}" y="${gy + (group - 10) / 2 + 4}" text-anchor="end" fill="${AXIS}">${escapeXml(truncate(category, 22))}</text>`;
    args.series.forEach((s, j) => {
      const v = s.values[i];
      const by = gy + j * bar;
      if (v === null || v === undefined) return;
      out += `<rect x="${frame.left}" y="${by}" width="${Math.max(0, x(v) - frame.left)}" height="${bar - 2}" fill="${PALETTE[j % PALETTE.length]}"><title>${escapeXml(`${category} ${s.name}: ${formatNumber(v)}`)}</title></rect>`;
      out += `<text x="${x(v) + 3}" y="${by + bar - 3}" font-size="9.5" fill="#333">${formatNumber(v, 2)}</text>`;
    });
  });
  out += `<line x1="${frame.left}" x2="${frame.left}" y1="${frame.top}" y2="${frame.height - frame.bottom}" stroke="${AXIS}"/>`;
  out += `<text x="${frame.left + plotW / 2}" y="${frame.height - 10}" text-anchor="middle" fill="#222">${escapeXml(args.xLabel)}</text>`;
  out += legend(
    { ...frame, top: 46 },
    args.series.map((s, j) => ({ name: s.name, color: PALETTE[j % PALETTE.length]! })),
  );
  return `${out}</svg>`;
}

export interface BoxStats {
  readonly name: string;
  readonly min: number;
  readonly q1: number;
  readonly median: number;
  readonly q3: number;
  readonly max: number;
  readonly mean: number;
}

/** Vertical box plots (min–max whiskers, quartile box, median line, mean dot). */
export function boxPlots(args: {
  readonly title: string;
  readonly boxes: readonly BoxStats[];
  readonly yLabel: string;
}): string {
  const frame: Frame = {
    width: Math.max(320, 110 + args.boxes.length * 90),
    height: 300,
    left: 62,
    right: 20,
    top: 44,
    bottom: 58,
  };
  const lo = Math.min(0, ...args.boxes.map((b) => b.min));
  const hi = Math.max(...args.boxes.map((b) => b.max));
  const yTicks = niceTicks(lo, hi <= 1 && lo >= 0 ? 1 : hi, 5);
  const [y0, y1] = [yTicks[0]!, yTicks[yTicks.length - 1]!];
  const plotH = frame.height - frame.top - frame.bottom;
  const y = (v: number) => frame.top + plotH - ((v - y0) / (y1 - y0 || 1)) * plotH;
  const slot = (frame.width - frame.left - frame.right) / Math.max(args.boxes.length, 1);
  let out = open(frame, args.title);
  out += axes(frame, yTicks, y, { x: '', y: args.yLabel });
  args.boxes.forEach((b, i) => {
    const cx = frame.left + slot * (i + 0.5);
    const w = Math.min(46, slot * 0.5);
    const color = PALETTE[i % PALETTE.length]!;
    out += `<g><title>${escapeXml(`${b.name}: min ${formatNumber(b.min)}, q1 ${formatNumber(b.q1)}, median ${formatNumber(b.median)}, q3 ${formatNumber(b.q3)}, max ${formatNumber(b.max)}, mean ${formatNumber(b.mean)}`)}</title>`;
    out += `<line x1="${cx}" x2="${cx}" y1="${y(b.min)}" y2="${y(b.max)}" stroke="${AXIS}"/>`;
    for (const v of [b.min, b.max])
      out += `<line x1="${cx - w / 4}" x2="${cx + w / 4}" y1="${y(v)}" y2="${y(v)}" stroke="${AXIS}"/>`;
    out += `<rect x="${cx - w / 2}" y="${y(b.q3)}" width="${w}" height="${Math.max(1, y(b.q1) - y(b.q3))}" fill="${color}" fill-opacity="0.75" stroke="${AXIS}"/>`;
    out += `<line x1="${cx - w / 2}" x2="${cx + w / 2}" y1="${y(b.median)}" y2="${y(b.median)}" stroke="#000" stroke-width="2"/>`;
    out += `<circle cx="${cx}" cy="${y(b.mean)}" r="3.5" fill="#fff" stroke="#000"/></g>`;
    out += `<text x="${cx}" y="${frame.height - frame.bottom + 18}" text-anchor="middle" fill="#222">${escapeXml(truncate(b.name, 14))}</text>`;
  });
  out += `<text x="${frame.left}" y="${frame.height - 8}" fill="#666" font-size="11">box: quartiles · bar: median · dot: mean · whiskers: min–max</text>`;
  return `${out}</svg>`;
}

/** Predicted against target values, with the y = x line. */
export function scatterPlot(args: {
  readonly title: string;
  readonly points: readonly (readonly [number, number])[];
  readonly xLabel: string;
  readonly yLabel: string;
}): string {
  const frame: Frame = { width: 420, height: 380, left: 62, right: 20, top: 40, bottom: 48 };
  const values = args.points.flat();
  const ticks = niceTicks(Math.min(...values), Math.max(...values), 5);
  const [v0, v1] = [ticks[0]!, ticks[ticks.length - 1]!];
  const plotW = frame.width - frame.left - frame.right;
  const plotH = frame.height - frame.top - frame.bottom;
  const x = (v: number) => frame.left + ((v - v0) / (v1 - v0 || 1)) * plotW;
  const y = (v: number) => frame.top + plotH - ((v - v0) / (v1 - v0 || 1)) * plotH;
  let out = open(frame, args.title);
  out += axes(frame, ticks, y, { x: args.xLabel, y: args.yLabel });
  for (const t of ticks)
    out += `<text x="${x(t)}" y="${frame.height - frame.bottom + 16}" text-anchor="middle" fill="${AXIS}">${formatTick(t)}</text>`;
  out += `<line x1="${x(v0)}" y1="${y(v0)}" x2="${x(v1)}" y2="${y(v1)}" stroke="#999" stroke-dasharray="4 4"/>`;
  for (const [t, p] of args.points)
    out += `<circle cx="${x(t).toFixed(1)}" cy="${y(p).toFixed(1)}" r="2.6" fill="${PALETTE[0]}" fill-opacity="0.6"/>`;
  return `${out}</svg>`;
}
