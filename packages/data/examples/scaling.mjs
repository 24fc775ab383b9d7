// Runs as is: node --conditions=@omnifuse/source --import tsx packages/data/examples/scaling.mjs
import { fitPipeline } from '@omnifuse/data';

// House prices with an outlier: compare what each scaler makes of the same column.
const rows = [
  [120, 3],
  [95, 2],
  [150, 4],
  [110, 3],
  [900, 5],
  [130, 3],
];
const featureNames = ['area_m2', 'rooms'];
for (const spec of [
  { type: 'standard-scaler' },
  { type: 'min-max-scaler', options: { featureRange: [0, 1], clip: true } },
  { type: 'robust-scaler', options: { quantileRange: [25, 75] } },
]) {
  const pipeline = fitPipeline([spec], rows, { featureNames });
  const area = pipeline.transform(rows).map((row) => row[0].toFixed(2));
  console.log(`${spec.type.padEnd(16)} area_m2: ${area.join(' ')}`);
}
// Statistics come from the training rows only: a new row is scaled with them.
const robust = fitPipeline([{ type: 'robust-scaler' }], rows, { featureNames });
console.log(
  'new house (100 m², 2 rooms):',
  robust
    .transform([[100, 2]])[0]
    .map((v) => v.toFixed(3))
    .join(', '),
);
