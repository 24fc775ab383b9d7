// Runs as is: node --conditions=@omnifuse/source --import tsx packages/data/examples/transforms.mjs
import { fitPipeline } from '@omnifuse/data';

// Right-skewed incomes (positive) and account balances (any sign).
const rows = [
  [21, -300],
  [35, 120],
  [28, 40],
  [52, 900],
  [240, 15000],
  [31, -20],
  [44, 310],
  [95, 2600],
];
const featureNames = ['income_k', 'balance'];

// Box-Cox needs positive values: λ per column by maximum likelihood, as scipy/sklearn find it.
const boxCox = fitPipeline(
  [{ type: 'box-cox' }],
  rows.map(([income]) => [income]),
  {
    featureNames: ['income_k'],
  },
);
console.log('box-cox λ (income_k):', boxCox.toJSON().steps[0].state.lambdas[0].toFixed(4));

// Yeo-Johnson handles both signs; standardize (default true) centres and scales the result.
const yeoJohnson = fitPipeline([{ type: 'yeo-johnson' }], rows, { featureNames });
console.log(
  'yeo-johnson λ:',
  yeoJohnson
    .toJSON()
    .steps[0].state.lambdas.map((l) => l.toFixed(4))
    .join(', '),
);
console.log(
  'transformed row 5:',
  yeoJohnson
    .transform([rows[4]])[0]
    .map((v) => v.toFixed(3))
    .join(', '),
);

// log with an offset, base 10; a value at or below -offset is an error naming its row and column.
const log = fitPipeline([{ type: 'log', options: { base: 10, offset: 1 } }], [[0], [9], [99]]);
console.log(
  'log10(x + 1):',
  log
    .transform([[0], [9], [99]])
    .map((row) => row[0])
    .join(', '),
);
try {
  log.transform([[5], [-3]]);
} catch (error) {
  console.log('refused:', error.message);
}
