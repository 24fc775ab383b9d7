import type { MetricDelta, QualityComparison, QualityReport } from './quality-report.js';

const percent = (v: number | null): string => (v === null ? 'n/a' : `${(v * 100).toFixed(1)}%`);
const signed = (v: number | null): string =>
  v === null ? '' : ` (${v >= 0 ? '+' : '−'}${Math.abs(v * 100).toFixed(1)} pts)`;
const cell = (m: MetricDelta): string => `${percent(m.before)} → ${percent(m.after)}${signed(m.delta)}`;

function isComparison(value: QualityReport | QualityComparison): value is QualityComparison {
  return typeof (value as QualityComparison).records === 'object';
}

/** A quality report or a before/after comparison as a markdown table. */
export function renderQualityReport(report: QualityReport | QualityComparison): string {
  if (isComparison(report)) {
    const lines = [
      `Records: ${report.records.before} → ${report.records.after}; key uniqueness: ${cell(report.uniqueness)}`,
      '',
      '| field | completeness | consistency | accuracy |',
      '| --- | --- | --- | --- |',
    ];
    for (const [field, m] of Object.entries(report.fields)) {
      lines.push(`| ${field} | ${cell(m.completeness)} | ${cell(m.consistency)} | ${cell(m.accuracy)} |`);
    }
    return lines.join('\n');
  }
  const lines = [
    `Records: ${report.records}; key uniqueness: ${percent(report.uniqueness)}${report.duplicatedKeys ? ` (${report.duplicatedKeys} keys on several records)` : ''}`,
    '',
    '| field | completeness | consistency | conflicting entities | accuracy | checked |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const [field, q] of Object.entries(report.fields)) {
    lines.push(
      `| ${field} | ${percent(q.completeness)} | ${percent(q.consistency)} | ${q.conflicting}/${q.entities} | ${percent(q.accuracy)} | ${q.checked} |`,
    );
  }
  return lines.join('\n');
}

const escapeXml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * A small self-contained SVG bar chart: per field, the metric before (grey) and after (blue).
 * Unknown values (`n/a`) draw no bar.
 */
export function qualitySvg(
  comparison: QualityComparison,
  {
    metric = 'completeness',
    title,
  }: { metric?: 'completeness' | 'consistency' | 'accuracy'; title?: string } = {},
): string {
  const fields = Object.keys(comparison.fields);
  const rowHeight = 28;
  const labelWidth = 120;
  const barWidth = 260;
  const top = 30;
  const width = labelWidth + barWidth + 70;
  const height = top + fields.length * rowHeight + 30;
  const heading = title ?? `Data quality before and after fusion: ${metric}`;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" font-family="sans-serif" font-size="11">`,
    `<title>${escapeXml(heading)}</title>`,
    `<text x="4" y="16" font-size="13" font-weight="bold">${escapeXml(heading)}</text>`,
  ];
  fields.forEach((field, i) => {
    const m = comparison.fields[field]![metric];
    const y = top + i * rowHeight;
    parts.push(`<text x="4" y="${y + 15}">${escapeXml(field)}</text>`);
    const bars: [number | null, string, string, number][] = [
      [m.before, '#9e9e9e', 'before', 0],
      [m.after, '#1e88e5', 'after', 12],
    ];
    for (const [value, color, label, dy] of bars) {
      if (value === null) continue;
      const w = Math.max(0, Math.min(1, value)) * barWidth;
      parts.push(
        `<rect x="${labelWidth}" y="${y + dy}" width="${w.toFixed(1)}" height="10" fill="${color}"><title>${escapeXml(`${field} ${label}: ${percent(value)}`)}</title></rect>`,
        `<text x="${labelWidth + w + 4}" y="${y + dy + 9}">${percent(value)}</text>`,
      );
    }
  });
  const legendY = height - 10;
  parts.push(
    `<rect x="${labelWidth}" y="${legendY - 9}" width="10" height="10" fill="#9e9e9e"/><text x="${labelWidth + 14}" y="${legendY}">before</text>`,
    `<rect x="${labelWidth + 70}" y="${legendY - 9}" width="10" height="10" fill="#1e88e5"/><text x="${labelWidth + 84}" y="${legendY}">after</text>`,
    '</svg>',
  );
  return parts.join('\n');
}
