// Runs as is: node --conditions=@omnifuse/source --import tsx packages/data/examples/anomalies.mjs
import { createRng } from '@omnifuse/core';
import { fitIsolationForest, iqrOutliers, loadIsolationForest, zScoreOutliers } from '@omnifuse/data';

// 300 sensor readings (temperature, humidity) with 4 faulty ones planted at the end.
const rng = createRng(42);
const rows = Array.from({ length: 300 }, () => [21 + rng.normal(), 45 + 5 * rng.normal()]);
rows.push([21.2, 95], [35, 44], [5, 47], [30, 80]);

const z = zScoreOutliers(rows, { threshold: 3 });
console.log('z-score > 3 rows:', z.rows.join(', '));
const iqr = iqrOutliers(rows, { k: 3 });
console.log('outside 3×IQR fences:', iqr.rows.join(', '));

const forest = fitIsolationForest(rows, { seed: 1, contamination: 'auto' });
const scores = forest.decisionFunction(rows);
const worst = scores
  .map((s, i) => [s, i])
  .sort((a, b) => a[0] - b[0])
  .slice(0, 4);
console.log(
  'isolation forest, most anomalous:',
  worst.map(([s, i]) => `row ${i} (${s.toFixed(3)})`).join(', '),
);

// The fitted forest is plain JSON: save it, reload it, score new readings identically.
const reloaded = loadIsolationForest(JSON.parse(JSON.stringify(forest.state)));
console.log(
  'new readings:',
  reloaded
    .predict([
      [21.5, 46],
      [40, 10],
    ])
    .map((p) => (p === -1 ? 'outlier' : 'inlier'))
    .join(', '),
);
