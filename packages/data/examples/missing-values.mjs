// Runs as is: node --conditions=@omnifuse/source --import tsx packages/data/examples/missing-values.mjs
import { fitPipeline, loadPipeline } from '@omnifuse/data';

// Sensor readings with gaps (NaN): record where values were missing, then fill them.
const rows = [
  [21.5, 40, 1012],
  [Number.NaN, 42, 1010],
  [23.1, Number.NaN, 1011],
  [22.4, 45, 1009],
  [Number.NaN, 41, 1013],
  [24.0, 47, 1008],
];
const pipeline = fitPipeline(
  [
    { type: 'missing-indicator' }, // keeps the inputs, appends missing_<name> for columns with gaps
    { type: 'simple-imputer', options: { strategy: 'median' } },
    { type: 'yeo-johnson' },
    { type: 'standard-scaler' },
  ],
  rows,
  { featureNames: ['temp_c', 'humidity', 'pressure'] },
);
console.log('outputs:', pipeline.outputNames.join(', '));
const imputer = pipeline.toJSON().steps[1].state;
console.log(
  'medians used:',
  imputer.statistics.join(', '),
  '| values filled:',
  imputer.missingCounts.join(', '),
);

// Saved as JSON and reloaded, the pipeline transforms new rows identically.
const reloaded = loadPipeline(JSON.parse(JSON.stringify(pipeline.toJSON())));
const newRow = [[Number.NaN, 44, 1010]];
console.log(
  'new row:',
  reloaded
    .transform(newRow)[0]
    .map((v) => v.toFixed(3))
    .join(', '),
);
console.log(
  'identical after reload:',
  JSON.stringify(reloaded.transform(newRow)) === JSON.stringify(pipeline.transform(newRow)),
);
