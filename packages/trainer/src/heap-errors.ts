import { ErrorCode, OmnifuseError } from '@omnifuse/core';

/** Messages of a WebAssembly heap that ran out (tfjs's wasm backend, a wasm kernel). */
const HEAP_MESSAGES = [/memory access out of bounds/i, /out of memory/i, /Array buffer allocation failed/i];

/**
 * A WebAssembly heap that overflowed while a batch ran, as an error that says what to change: it
 * names the batch size, each input's row shape and the bytes one batch of them takes. Any other
 * error comes back unchanged.
 */
export function heapOverflowError(
  error: unknown,
  at: {
    readonly step: string;
    readonly batchSize: number;
    readonly columns: readonly (readonly [string, { readonly shape: readonly number[] }])[];
    readonly plugin: string;
  },
): unknown {
  const message = error instanceof Error ? error.message : '';
  // WebAssembly.RuntimeError (a kernel's access past the heap) or a RangeError (an allocation).
  const isHeap =
    (error instanceof RangeError || (error instanceof Error && error.name === 'RuntimeError')) &&
    HEAP_MESSAGES.some((pattern) => pattern.test(message));
  if (!isHeap) return error;
  const inputs = Object.fromEntries(
    at.columns.map(([name, column]) => {
      const elements = column.shape.reduce((a, b) => a * b, 1);
      return [name, { shape: column.shape, batchMiB: round((elements * 4 * at.batchSize) / 2 ** 20) }];
    }),
  );
  return new OmnifuseError({
    code: ErrorCode.Training,
    message:
      `the WebAssembly heap ran out during ${at.step} with batches of ${at.batchSize}: lower training.batchSize, ` +
      'or make the largest inputs smaller (image size, audio frames), or use fewer or smaller layers',
    plugin: at.plugin,
    step: at.step,
    found: { batchSize: at.batchSize, inputs },
    cause: error,
  });
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
