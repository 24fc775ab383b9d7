// Plumbing shared by the omnifuse side's scripts (omnifuse-parity.mjs, fsdd-speakers.mjs): flags,
// one training run scored the way torch_parity.py scores it, seed summaries, and the result written.
import { writeFileAtomic } from '@omnifuse/core';
import { train } from '@omnifuse/trainer';

export { writeFileAtomic } from '@omnifuse/core';
export { groupedBars } from '@omnifuse/trainer';

/** `--key=value` flags as an object (`--key` alone is ''). */
export function parseFlags(argv = process.argv.slice(2)) {
  return Object.fromEntries(
    argv.map((arg) => {
      const [key, value = ''] = arg.replace(/^--/, '').split('=');
      return [key, value];
    }),
  );
}

/** A comma-separated flag as a list, `fallback` when the flag is absent. */
export const list = (value, fallback) => (value ?? fallback).split(',').filter(Boolean);

/** `--workers`: a number or 'auto' (training.workers). */
export const workersFlag = (value) => (value === 'auto' ? 'auto' : Number(value ?? 1));

/** Mean and sample std (n − 1; null for one value), as torch_parity.py's summarise, plus the values. */
export function summarise(values) {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std =
    values.length > 1
      ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1))
      : null;
  return { mean, std, values };
}

/**
 * Trains one model and scores it as torch_parity.py's train_one does: test accuracy of the restored
 * best epoch, its validation accuracy, the best epoch (1-based), wall seconds (preprocessing, build,
 * training, evaluation) and each epoch's seconds (omnifuse's include the validation pass). Writes
 * one JSON line per epoch to stderr, `tag`'s fields first.
 */
export async function trainAndScore({ tag, dataset, registry, backend, cache, spec, lockstep = false }) {
  const started = performance.now();
  const epochSeconds = [];
  // Under --lockstep, every training batch's loss, to set beside the PyTorch side's (lockstep.mjs).
  const batchLosses = [];
  const result = await train({
    dataset,
    registry,
    backend,
    cache,
    spec,
    callbacks: [
      {
        ...(lockstep ? { onBatchEnd: ({ loss }) => batchLosses.push(loss) } : {}),
        onEpochEnd: ({ epoch, metrics, seconds }) => {
          epochSeconds.push(round(seconds));
          const progress = {
            ...tag,
            epoch: epoch + 1,
            loss: metrics.loss,
            train_acc: metrics.accuracy,
            val_acc: metrics.val_accuracy,
            ...(lockstep ? { val_loss: metrics.val_loss } : {}),
            seconds: round(seconds),
          };
          process.stderr.write(`${JSON.stringify(progress)}\n`);
        },
      },
    ],
  });
  const { history } = result;
  const run = {
    test: result.metrics.test.accuracy,
    validation: history.epochs[history.bestEpoch]?.val_accuracy ?? null,
    best_epoch: history.bestEpoch + 1,
    seconds: round((performance.now() - started) / 1000),
    epoch_seconds: epochSeconds,
    ...(lockstep
      ? {
          batch_losses: batchLosses,
          val_losses: history.epochs.map((e) => e.val_loss),
          val_accs: history.epochs.map((e) => e.val_accuracy),
        }
      : {}),
  };
  // The mean and std `standardize: 'global'` fitted, to set beside the PyTorch side's.
  const standardize = result.model.encoders.audio?.state?.standardize;
  if (standardize) run.spectrogram = standardize;
  result.model.dispose();
  return run;
}

/** The result as indented JSON on stdout and, atomically, in `file` when given. */
export async function writeResult(output, file) {
  const text = JSON.stringify(output, null, 2);
  console.log(text);
  if (file) await writeFileAtomic(file, `${text}\n`);
}

const round = (seconds) => Math.round(seconds * 1000) / 1000;
