import type { EvaluationReport } from './build-report.js';
import {
  boxPlots,
  confusionHeatmap,
  escapeXml,
  formatNumber,
  groupedBars,
  lineChart,
  PALETTE,
  scatterPlot,
} from './svg-charts.js';

const SUMMARY_NAMES: Record<string, string> = {
  size: 'records',
  accuracy: 'accuracy',
  logLoss: 'log loss',
  loss: 'loss',
  macroPrecision: 'precision (macro)',
  macroRecall: 'recall (macro)',
  macroF1: 'F1 (macro)',
  microPrecision: 'precision (micro)',
  microRecall: 'recall (micro)',
  microF1: 'F1 (micro)',
  weightedF1: 'F1 (weighted)',
  rocAuc: 'ROC-AUC',
  rocAucWeighted: 'ROC-AUC (weighted one-vs-rest)',
  hammingLoss: 'Hamming loss',
  subsetAccuracy: 'subset accuracy',
  mae: 'MAE',
  rmse: 'RMSE',
  r2: 'R²',
};

/**
 * One self-contained HTML page for a report: a metrics table, then SVG charts drawn inline
 * (learning curves, confusion matrix, per-class scores, fusion weights) — no scripts, no external
 * files, so it opens anywhere and can be attached to an issue or CI run.
 */
export function renderReportHtml(report: EvaluationReport): string {
  const sections = [
    summarySection(report),
    learningCurveSection(report),
    classificationSection(report),
    multiLabelSection(report),
    regressionSection(report),
    fusionSection(report),
    skippedSection(report),
  ].filter((s) => s !== '');
  const title = `omnifuse evaluation — ${report.split} split`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(title)}</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2rem auto; max-width: 1040px; padding: 0 1rem; color: #222; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; } h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #ddd; padding-bottom: .3rem; }
.meta { color: #666; font-size: .9rem; }
table { border-collapse: collapse; margin: .6rem 0; font-size: .9rem; }
th, td { padding: .25rem .7rem; border-bottom: 1px solid #eee; text-align: right; }
th:first-child, td:first-child { text-align: left; }
thead th { border-bottom: 2px solid #bbb; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
.note { color: #666; font-size: .85rem; }
</style>
</head>
<body>
<h1>${escapeXml(title)}</h1>
<p class="meta">${escapeXml(`${report.task.type}${report.task.field ? ` of "${report.task.field}"` : ''} · ${report.size} records · ${report.createdAt}`)}</p>
${sections.join('\n')}
</body>
</html>
`;
}

function table(head: readonly string[], rows: readonly (readonly (string | number | null)[])[]): string {
  const cell = (v: string | number | null) => (typeof v === 'string' ? escapeXml(v) : formatNumber(v));
  return `<table><thead><tr>${head.map((h) => `<th>${escapeXml(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((v) => `<td>${cell(v)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function summarySection(report: EvaluationReport): string {
  const rows = Object.entries(report.summary).map(([key, value]) => [SUMMARY_NAMES[key] ?? key, value]);
  let out = `<h2>Metrics</h2>${table(['metric', 'value'], rows)}`;
  const model = report.model;
  if (model) {
    const modelRows: [string, string][] = [];
    if (model.inputs)
      modelRows.push(['inputs', model.inputs.map((i) => `${i.field} (${i.encoder})`).join(', ')]);
    if (model.fusion !== undefined) modelRows.push(['fusion', model.fusion ?? 'none']);
    if (model.trainer) modelRows.push(['trainer', model.trainer]);
    if (model.parameters !== undefined) modelRows.push(['parameters', model.parameters.toLocaleString('en')]);
    if (modelRows.length > 0) out += `<h2>Model</h2>${table(['', ''], modelRows)}`;
  }
  return out;
}

function learningCurveSection(report: EvaluationReport): string {
  const curves = report.learningCurves;
  if (!curves || curves.epochs.length === 0) return '';
  const bases = [...new Set(Object.keys(curves.series).map((k) => k.replace(/^val_/, '')))];
  const charts = bases.map((base) => {
    const series = [base, `val_${base}`]
      .filter((key) => curves.series[key]?.some((v) => v !== null))
      .map((key, i) => ({
        name: key.startsWith('val_') ? 'validation' : base === 'lr' ? 'learning rate' : 'training',
        values: curves.series[key]!,
        color: PALETTE[key.startsWith('val_') ? 1 : 0]!,
        dashed: i > 0,
      }));
    const values = series.flatMap((s) => s.values).filter((v): v is number => v !== null && v > 0);
    const spread = values.length > 0 ? Math.max(...values) / Math.min(...values) : 1;
    return lineChart({
      title: base === 'lr' ? 'Learning rate' : base,
      series,
      xLabel: 'epoch',
      yLabel: base,
      logScale: base === 'lr' && spread > 20,
      marker: { at: curves.bestEpoch, label: `best epoch ${curves.bestEpoch}` },
    });
  });
  const note = `${curves.epochs.length} epochs in ${formatNumber(curves.seconds, 1)} s${curves.stoppedEarly ? ', stopped early' : ''}; dotted line: the best epoch (its weights are kept when restoreBestWeights is on).`;
  return `<h2>Learning curves</h2><div class="charts">${charts.join('')}</div><p class="note">${escapeXml(note)}</p>`;
}

function classificationSection(report: EvaluationReport): string {
  const c = report.classification;
  if (!c) return '';
  const rows = c.perClass.map((r): (string | number | null)[] => [
    r.label,
    r.precision,
    r.recall,
    r.f1,
    r.rocAuc ?? null,
    r.support,
  ]);
  for (const average of ['macro', 'micro', 'weighted'] as const) {
    const a = c.averages[average];
    rows.push([
      `${average} average`,
      a.precision,
      a.recall,
      a.f1,
      average === 'micro' ? null : c.rocAuc[average],
      null,
    ]);
  }
  const heatmap = confusionHeatmap({ title: 'Confusion matrix', labels: report.labels, counts: c.confusion });
  const bars = groupedBars({
    title: 'Per-class scores',
    categories: c.perClass.map((r) => r.label),
    series: [
      { name: 'precision', values: c.perClass.map((r) => r.precision) },
      { name: 'recall', values: c.perClass.map((r) => r.recall) },
      { name: 'F1', values: c.perClass.map((r) => r.f1) },
    ],
    max: 1,
    xLabel: 'score',
  });
  const mistakes =
    c.worstMistakes.length === 0
      ? ''
      : `<h2>Most confident mistakes</h2>${table(
          ['record', 'target', 'predicted', 'probability'],
          c.worstMistakes.map((m) => [String(m.record), m.target, m.predicted, m.confidence]),
        )}`;
  return `<h2>Classes</h2><div class="charts">${heatmap}${bars}</div>${table(
    ['class', 'precision', 'recall', 'F1', 'ROC-AUC (one-vs-rest)', 'support'],
    rows,
  )}<p class="note">Scores with a zero denominator are 0, as in scikit-learn (zero_division=0); ROC-AUC is blank for a class absent from the targets.</p>${mistakes}`;
}

function multiLabelSection(report: EvaluationReport): string {
  const m = report.multiLabel;
  if (!m) return '';
  const rows = m.perLabel.map((r): (string | number | null)[] => [
    r.label,
    r.precision,
    r.recall,
    r.f1,
    r.support,
  ]);
  for (const average of ['macro', 'micro'] as const) {
    const a = m.averages[average];
    rows.push([`${average} average`, a.precision, a.recall, a.f1, null]);
  }
  const bars = groupedBars({
    title: `Per-label scores (threshold ${m.threshold})`,
    categories: m.perLabel.map((r) => r.label),
    series: [
      { name: 'precision', values: m.perLabel.map((r) => r.precision) },
      { name: 'recall', values: m.perLabel.map((r) => r.recall) },
      { name: 'F1', values: m.perLabel.map((r) => r.f1) },
    ],
    max: 1,
    xLabel: 'score',
  });
  return `<h2>Labels</h2><div class="charts">${bars}</div>${table(['label', 'precision', 'recall', 'F1', 'support'], rows)}`;
}

function regressionSection(report: EvaluationReport): string {
  const r = report.regression;
  if (!r || r.sample.length === 0) return '';
  const scatter = scatterPlot({
    title: 'Predicted against target',
    points: r.sample,
    xLabel: 'target',
    yLabel: 'predicted',
  });
  const d = r.residuals;
  const residuals =
    d.min === null
      ? ''
      : boxPlots({
          title: 'Residuals (predicted − target)',
          boxes: [
            {
              name: 'residual',
              min: d.min,
              q1: d.q1!,
              median: d.median!,
              q3: d.q3!,
              max: d.max!,
              mean: d.mean!,
            },
          ],
          yLabel: 'residual',
        });
  return `<h2>Predictions</h2><div class="charts">${scatter}${residuals}</div>`;
}

function fusionSection(report: EvaluationReport): string {
  const f = report.fusionWeights;
  if (!f || f.inputs.length === 0) return '';
  const boxes = f.inputs.flatMap((input) => {
    const d = f.perInput[input]!;
    return d.min === null
      ? []
      : [{ name: input, min: d.min, q1: d.q1!, median: d.median!, q3: d.q3!, max: d.max!, mean: d.mean! }];
  });
  const charts = [boxPlots({ title: 'Fusion weight per modality', boxes, yLabel: 'weight' })];
  if (f.byPredictedClass) {
    const shown = f.byPredictedClass.filter((c) => c.count > 0);
    charts.push(
      groupedBars({
        title: 'Mean fusion weight by predicted class',
        categories: shown.map((c) => `${c.label} (${c.count})`),
        series: f.inputs.map((input, j) => ({ name: input, values: shown.map((c) => c.means[j] ?? null) })),
        xLabel: 'mean weight',
      }),
    );
  }
  const rows = f.inputs.map((input) => {
    const d = f.perInput[input]!;
    return [input, d.mean, d.min, d.q1, d.median, d.q3, d.max];
  });
  return `<h2>Fusion weights</h2><div class="charts">${charts.join('')}</div>${table(
    ['modality', 'mean', 'min', 'q1', 'median', 'q3', 'max'],
    rows,
  )}`;
}

/** The records left out under `onInvalid: "skip"`: counts per problem, then each record (first 200). */
function skippedSection(report: EvaluationReport): string {
  const skipped = report.skipped;
  if (!skipped || skipped.count === 0) return '';
  const codes = Object.entries(skipped.byCode).map(([code, count]) => [code, String(count)]);
  const shown = skipped.records.slice(0, 200);
  const rows = shown.flatMap(({ record, problems }) =>
    problems.map((p) => [String(record), p.field, p.code, p.reason]),
  );
  const more = skipped.records.length - shown.length;
  return `<h2>Skipped records</h2><p class="note">${escapeXml(
    `${skipped.count} invalid records were left out of training and evaluation (onInvalid: "skip").`,
  )}</p>${table(['problem', 'records'], codes)}${table(['record', 'field', 'problem', 'reason'], rows)}${
    more > 0 ? `<p class="note">${more} more in report.json</p>` : ''
  }`;
}
