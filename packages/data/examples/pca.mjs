// Runs as is: node --conditions=@omnifuse/source --import tsx packages/data/examples/pca.mjs
import { fitPipeline } from '@omnifuse/data';

// Four measurements of six flowers: keep the principal components explaining 95% of variance.
const rows = [
  [5.1, 3.5, 1.4, 0.2],
  [4.9, 3.0, 1.4, 0.2],
  [7.0, 3.2, 4.7, 1.4],
  [6.4, 3.2, 4.5, 1.5],
  [6.3, 3.3, 6.0, 2.5],
  [5.8, 2.7, 5.1, 1.9],
];
const pipeline = fitPipeline([{ type: 'pca', options: { nComponents: 0.95 } }], rows, {
  featureNames: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'],
});
const { state } = pipeline.toJSON().steps[0];
console.log('outputs:', pipeline.outputNames.join(', '));
console.log('explained variance ratio:', state.explainedVarianceRatio.map((r) => r.toFixed(3)).join(', '));
console.log(
  'first flower:',
  pipeline
    .transform([rows[0]])[0]
    .map((v) => v.toFixed(3))
    .join(', '),
);
