import type { TrainerCallbacks } from '@omnifuse/core';

/** Where progress goes: anything with `write`, and `isTTY` to pick the format. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressOptions {
  /** Defaults to `process.stderr`, so stdout stays free for results. */
  readonly stream?: ProgressStream;
  /** `bar`: one line redrawn in place; `json`: one JSON object per line. Default: bar on a TTY. */
  readonly format?: 'bar' | 'json';
  /** Least milliseconds between two bar redraws. */
  readonly intervalMs?: number;
  /** The backend as printed at start (`webgpu (llvmpipe-…, software, compatibility)`); default: tfjs's name. */
  readonly backend?: string;
}

/**
 * Training progress as callbacks: on a terminal a one-line bar redrawn in place (epoch, batch,
 * running loss) that leaves each epoch's metrics on their own line; elsewhere (CI, pipes) JSON
 * lines — `{"event":"epoch","epoch":1,...}` — that tools can read.
 */
export function createProgressReporter(options: ProgressOptions = {}): TrainerCallbacks {
  const stream = options.stream ?? process.stderr;
  const format = options.format ?? (stream.isTTY ? 'bar' : 'json');
  const interval = options.intervalMs ?? 100;
  let epochs = 0;
  let lastDraw = 0;
  const json = (value: Record<string, unknown>) => stream.write(`${JSON.stringify(value)}\n`);

  if (format === 'json') {
    return {
      onTrainBegin: (event) => {
        json({ event: 'train-begin', ...event, ...(options.backend ? { backend: options.backend } : {}) });
      },
      onEpochEnd: (event) => {
        json({ event: 'epoch', epoch: event.epoch + 1, ...event.metrics, seconds: round(event.seconds) });
      },
      onTrainEnd: ({ history }) => {
        json({
          event: 'train-end',
          epochs: history.epochs.length,
          bestEpoch: history.bestEpoch + 1,
          stoppedEarly: history.stoppedEarly,
          seconds: round(history.seconds),
        });
      },
    };
  }
  return {
    onTrainBegin: (event) => {
      epochs = event.epochs;
      stream.write(
        `training on ${event.trainSize} records (${event.validationSize} validation), backend ${options.backend ?? event.backend}\n`,
      );
    },
    onBatchEnd: (event) => {
      const now = Date.now();
      const last = event.batch === event.batchesPerEpoch - 1;
      if (!last && now - lastDraw < interval) return;
      lastDraw = now;
      const width = Math.max(10, Math.min(30, (stream.columns ?? 80) - 50));
      const done = Math.round(((event.batch + 1) / event.batchesPerEpoch) * width);
      const bar = `${'='.repeat(Math.max(0, done - 1))}${done > 0 ? '>' : ''}${' '.repeat(width - done)}`;
      stream.write(
        `\r\x1b[2Kepoch ${event.epoch + 1}/${epochs} [${bar}] ${event.batch + 1}/${event.batchesPerEpoch} loss ${event.loss.toFixed(4)}`,
      );
    },
    onEpochEnd: (event) => {
      const metrics = Object.entries(event.metrics)
        .map(([name, value]) => `${name} ${value.toFixed(4)}`)
        .join('  ');
      stream.write(
        `\r\x1b[2Kepoch ${event.epoch + 1}/${epochs}  ${metrics}  (${event.seconds.toFixed(1)} s)\n`,
      );
    },
    onTrainEnd: ({ history }) => {
      stream.write(
        `${history.stoppedEarly ? 'stopped early; ' : ''}best epoch ${history.bestEpoch + 1} of ${history.epochs.length} (${history.seconds.toFixed(1)} s)\n`,
      );
    },
  };
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
