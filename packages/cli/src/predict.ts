import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Prediction } from '@omnifuse/core';
import { type ParsedArgs, positional, stringOption, UsageError } from './args.js';
import { openBundle } from './bundle.js';
import { onInvalidOption, printCheck } from './invalid-records.js';
import { type CliIo, line } from './io.js';
import { predictionsToCsv, predictionsToJsonl } from './prediction-rows.js';

export async function runPredict(args: ParsedArgs, io: CliIo): Promise<number> {
  const data = stringOption(args, 'data');
  if (!data) throw new UsageError('--data <manifest> is required');
  const out = stringOption(args, 'out');
  const format = (stringOption(args, 'format') ?? (out && /\.csv$/i.test(out) ? 'csv' : 'jsonl')) as
    | 'jsonl'
    | 'csv';
  const { model } = await openBundle(positional(args, 'bundle'), io);
  try {
    // A manifest path is read with the training data's field types, so values parse the same way.
    const onInvalid = onInvalidOption(args, model.spec.onInvalid);
    const predictions: Prediction[] = await model.predict(path.resolve(io.cwd, data), {
      onInvalid,
      onCheck: (report) => printCheck(io, report, onInvalid),
    });
    const text =
      format === 'csv' ? predictionsToCsv(predictions, model.task.labels) : predictionsToJsonl(predictions);
    if (out) {
      const file = path.resolve(io.cwd, out);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, text);
      line(io.stderr, `wrote ${predictions.length} predictions to ${path.relative(io.cwd, file) || file}`);
    } else io.stdout.write(text);
  } finally {
    model.dispose();
  }
  return 0;
}
