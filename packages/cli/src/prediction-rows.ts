import type { Prediction } from '@omnifuse/core';

/** One JSON object per line: `{ id, prediction, probabilities?, fusionWeights? }`. */
export function predictionsToJsonl(predictions: readonly Prediction[]): string {
  return predictions
    .map((p) =>
      JSON.stringify({
        id: p.record,
        prediction: p.prediction,
        ...(p.probabilities ? { probabilities: p.probabilities } : {}),
        ...(p.fusionWeights ? { fusionWeights: p.fusionWeights } : {}),
      }),
    )
    .map((row) => `${row}\n`)
    .join('');
}

/**
 * A CSV with a header: `id,prediction`, then `probability_<label>` per label and
 * `fusion_weight_<field>` per fused field. Multi-label predictions join their labels with `|`.
 * `header: false` for the rows of a later chunk of the same predictions.
 */
export function predictionsToCsv(
  predictions: readonly Prediction[],
  labels: readonly string[],
  options: { readonly header?: boolean } = {},
): string {
  const hasProbabilities = predictions.some((p) => p.probabilities);
  const weightFields = [...new Set(predictions.flatMap((p) => Object.keys(p.fusionWeights ?? {})))];
  const header = [
    'id',
    'prediction',
    ...(hasProbabilities ? labels.map((l) => `probability_${l}`) : []),
    ...weightFields.map((f) => `fusion_weight_${f}`),
  ];
  const rows = predictions.map((p) => [
    p.record,
    Array.isArray(p.prediction) ? p.prediction.join('|') : p.prediction,
    ...(hasProbabilities ? labels.map((l) => p.probabilities?.[l] ?? '') : []),
    ...weightFields.map((f) => p.fusionWeights?.[f] ?? ''),
  ]);
  return [...(options.header === false ? [] : [header]), ...rows]
    .map((row) => `${row.map(csvCell).join(',')}\n`)
    .join('');
}

function csvCell(value: unknown): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
