import path from 'node:path';
import { writeFileAtomic } from '@omnifuse/core';
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
    // A chunk of records at a time, each chunk's rows written as it is predicted: memory stays
    // bounded however many records there are. A file appears whole at the end (temp + rename).
    const chunks = model.predictChunks(path.resolve(io.cwd, data), {
      onInvalid,
      onCheck: (report) => printCheck(io, report, onInvalid),
    });
    let count = 0;
    async function* rows(): AsyncGenerator<string> {
      let header = true;
      for await (const predictions of chunks) {
        if (predictions.length === 0) continue;
        count += predictions.length;
        yield format === 'csv'
          ? predictionsToCsv(predictions, model.task.labels, { header })
          : predictionsToJsonl(predictions);
        header = false;
      }
      if (header && format === 'csv') yield predictionsToCsv([], model.task.labels);
    }
    if (out) {
      const file = path.resolve(io.cwd, out);
      await writeFileAtomic(file, rows());
      line(io.stderr, `wrote ${count} predictions to ${path.relative(io.cwd, file) || file}`);
    } else for await (const text of rows()) io.stdout.write(text);
  } finally {
    model.dispose();
  }
  return 0;
}
