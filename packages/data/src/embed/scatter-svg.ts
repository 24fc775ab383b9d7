/** Okabe–Ito colour-blind-safe palette (black last: it is the fallback for a ninth label on). */
const OKABE_ITO = ['#E69F00', '#56B4E9', '#009E73', '#F0E442', '#0072B2', '#D55E00', '#CC79A7', '#000000'];

export interface ScatterSvgOptions {
  /** One label per point; colours and the legend follow first appearance. */
  readonly labels?: readonly (string | number)[];
  /** Heading and the SVG's `<title>` (read by screen readers). */
  readonly title: string;
  readonly width?: number;
  readonly height?: number;
}

const escapeXml = (text: string): string =>
  text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );

/** A self-contained SVG scatter plot of 2-D points, as a string. */
export function scatterSvg(
  points: readonly (readonly [number, number])[],
  options: ScatterSvgOptions,
): string {
  const { labels, title, width = 480, height = 360 } = options;
  const margin = { top: 32, right: 120, bottom: 16, left: 16 };
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const [xMin, xMax] = [Math.min(...xs), Math.max(...xs)];
  const [yMin, yMax] = [Math.min(...ys), Math.max(...ys)];
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const sx = (x: number) => margin.left + ((x - xMin) / (xMax - xMin || 1)) * plotWidth;
  const sy = (y: number) => margin.top + plotHeight - ((y - yMin) / (yMax - yMin || 1)) * plotHeight;
  const classes = labels ? [...new Set(labels.map(String))] : [];
  const colour = (i: number) =>
    labels ? OKABE_ITO[classes.indexOf(String(labels[i])) % OKABE_ITO.length]! : OKABE_ITO[4]!;
  const dots = points
    .map(
      (p, i) =>
        `<circle cx="${sx(p[0]).toFixed(2)}" cy="${sy(p[1]).toFixed(2)}" r="3" fill="${colour(i)}" fill-opacity="0.8"/>`,
    )
    .join('');
  const legend = classes
    .map((label, k) => {
      const y = margin.top + 8 + k * 18;
      const x = width - margin.right + 12;
      return `<circle cx="${x}" cy="${y}" r="5" fill="${OKABE_ITO[k % OKABE_ITO.length]}"/><text x="${x + 10}" y="${y + 4}" font-size="12">${escapeXml(label)}</text>`;
    })
    .join('');
  const heading = escapeXml(title);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img">` +
    `<title>${heading}</title><rect width="100%" height="100%" fill="#ffffff"/>` +
    `<text x="${margin.left}" y="20" font-family="sans-serif" font-size="14">${heading}</text>` +
    `<g font-family="sans-serif">${dots}${legend}</g></svg>`
  );
}
