import type { SearchTrial } from './trial.js';

const WIDTH = 640;
const HEIGHT = 320;
const MARGIN = { left: 64, right: 16, top: 36, bottom: 44 };
const RUNG_COLOURS = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2'];

/**
 * `results.svg`: the metric of each successful trial in run order, one dot per trial (coloured by
 * rung for successive halving), the best ringed; hovering a dot shows its id and value.
 */
export function resultsChart(args: {
  readonly trials: readonly SearchTrial[];
  readonly metric: string;
  readonly best: SearchTrial | null;
}): string {
  const title = `${args.metric} per trial`;
  const points = args.trials
    .map((trial, index) => ({ trial, x: index + 1 }))
    .filter((p): p is { trial: SearchTrial & { value: number }; x: number } => p.trial.value !== null);
  const values = points.map((p) => p.trial.value);
  let low = values.length > 0 ? Math.min(...values) : 0;
  let high = values.length > 0 ? Math.max(...values) : 1;
  if (high - low < 1e-9) {
    low -= 0.5;
    high += 0.5;
  }
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const count = Math.max(1, args.trials.length);
  const sx = (x: number) => MARGIN.left + (count === 1 ? plotW / 2 : ((x - 1) / (count - 1)) * plotW);
  const sy = (y: number) => MARGIN.top + (1 - (y - low) / (high - low)) * plotH;
  const fmt = (n: number) => n.toFixed(2);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => low + f * (high - low));
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="11">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`,
    `<text x="${WIDTH / 2}" y="20" text-anchor="middle" font-size="14">${escapeXml(title)}</text>`,
    `<line x1="${MARGIN.left}" y1="${MARGIN.top + plotH}" x2="${MARGIN.left + plotW}" y2="${MARGIN.top + plotH}" stroke="#333"/>`,
    `<line x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${MARGIN.top + plotH}" stroke="#333"/>`,
    ...ticks.map(
      (tick) =>
        `<text x="${MARGIN.left - 6}" y="${fmt(sy(tick) + 4)}" text-anchor="end">${tick.toPrecision(3)}</text>` +
        `<line x1="${MARGIN.left}" y1="${fmt(sy(tick))}" x2="${MARGIN.left + plotW}" y2="${fmt(sy(tick))}" stroke="#eee"/>`,
    ),
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 8}" text-anchor="middle">trial (run order)</text>`,
    `<text x="14" y="${MARGIN.top + plotH / 2}" text-anchor="middle" transform="rotate(-90 14 ${MARGIN.top + plotH / 2})">${escapeXml(args.metric)}</text>`,
    ...points.map(({ trial, x }) => {
      const colour = RUNG_COLOURS[(trial.rung ?? 0) % RUNG_COLOURS.length];
      const ring =
        trial.id === args.best?.id
          ? `<circle cx="${fmt(sx(x))}" cy="${fmt(sy(trial.value))}" r="9" fill="none" stroke="#d62728" stroke-width="2"/>`
          : '';
      return `<circle cx="${fmt(sx(x))}" cy="${fmt(sy(trial.value))}" r="5" fill="${colour}"><title>${escapeXml(trial.id)}: ${trial.value.toFixed(4)}</title></circle>${ring}`;
    }),
    '</svg>',
  ];
  return `${parts.join('\n')}\n`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
