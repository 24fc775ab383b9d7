// Runs as is: node --conditions=@omnifuse/source --import tsx packages/data/examples/feature-selection.mjs
import { fClassif, fitPipeline, mutualInfoClassif } from '@omnifuse/data';

// x2 is a near copy of x0, x3 is constant, x1 is noise; the label follows x0.
const rows = Array.from({ length: 60 }, (_, i) => {
  const x0 = (i % 3) + 0.1 * Math.sin(i);
  return [x0, Math.cos(i * 7.3), x0 * 2 + 0.01 * Math.cos(i), 4];
});
const labels = rows.map((_, i) => ['low', 'mid', 'high'][i % 3]);
const pipeline = fitPipeline(
  [
    { type: 'variance-threshold' },
    { type: 'correlation-filter', options: { threshold: 0.95 } },
    { type: 'select-k-best', options: { k: 1, scoring: 'mutual_info_classif' } },
  ],
  rows,
  { featureNames: ['x0', 'x1', 'x2', 'x3'], target: labels, seed: 7 },
);
console.log('kept:', pipeline.outputNames.join(', '));
console.log(
  'ANOVA F:',
  fClassif(rows, labels)
    .scores.map((f) => f.toFixed(1))
    .join(', '),
);
const mi = mutualInfoClassif(
  rows.map((r) => r.slice(0, 3)),
  labels,
  { seed: 7 },
);
console.log('mutual information (nats):', mi.map((v) => v.toFixed(3)).join(', '));
