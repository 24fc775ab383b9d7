import type { ProgressOptions } from '../progress.js';
import { formatParamValue } from './results-table.js';
import type { SearchTrial } from './trial.js';

/** Reports each trial as it finishes (or is reused from an earlier run). */
export type SearchProgress = (event: {
  readonly trial: SearchTrial;
  /** 1-based position in the search and the planned number of trials. */
  readonly index: number;
  readonly total: number;
  readonly reused: boolean;
  readonly metric: string;
}) => void;

/**
 * Trial lines on stderr: on a terminal `trial 3/4 t003 training.learningRate=0.01: val_accuracy
 * 0.9333 (5 epochs, 1.2 s)`, elsewhere one JSON object per trial (`{"event":"trial",...}`).
 */
export function createSearchProgress(options: ProgressOptions = {}): SearchProgress {
  const stream = options.stream ?? process.stderr;
  const format = options.format ?? (stream.isTTY ? 'bar' : 'json');
  return ({ trial, index, total, reused, metric }) => {
    if (format === 'json') {
      const { metrics: _metrics, specHash: _hash, ...fields } = trial;
      stream.write(`${JSON.stringify({ event: 'trial', index, total, reused, ...fields })}\n`);
      return;
    }
    const params = Object.entries(trial.params)
      .map(([name, value]) => `${name}=${formatParamValue(value)}`)
      .join(' ');
    const outcome =
      trial.status === 'ok'
        ? `${metric} ${trial.value!.toFixed(4)} (${trial.epochs} epochs, ${trial.seconds.toFixed(1)} s)`
        : `failed: ${trial.error?.message}`;
    stream.write(
      `trial ${index}/${total} ${trial.id} ${params}: ${outcome}${reused ? ' [earlier run]' : ''}\n`,
    );
  };
}
