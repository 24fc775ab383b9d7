import type { TrainerCallbacks } from '@omnifuse/core';

type SequentialName = 'onTrainBegin' | 'onEpochEnd' | 'onTrainEnd';
type EventOf<K extends keyof TrainerCallbacks> = Parameters<NonNullable<TrainerCallbacks[K]>>[0];
type ResultOf<K extends keyof TrainerCallbacks> = Awaited<ReturnType<NonNullable<TrainerCallbacks[K]>>>;

/**
 * A sequential hook: each callback object's hook in the order given, each awaited before the next
 * starts (so a checkpoint finishes before early stopping looks at it). Returns every answer.
 */
export async function runSequential<K extends SequentialName>(
  callbacks: readonly TrainerCallbacks[],
  name: K,
  event: EventOf<K>,
): Promise<ResultOf<K>[]> {
  const results: ResultOf<K>[] = [];
  for (const callback of callbacks) {
    const hook = callback[name] as ((e: EventOf<K>) => ResultOf<K> | Promise<ResultOf<K>>) | undefined;
    if (hook) results.push(await hook.call(callback, event));
  }
  return results;
}

/** A parallel hook: started for every callback object at once, awaited together. */
export async function runParallel(
  callbacks: readonly TrainerCallbacks[],
  name: 'onBatchEnd',
  event: EventOf<'onBatchEnd'>,
): Promise<void> {
  const pending: (void | Promise<void>)[] = [];
  for (const callback of callbacks) {
    const hook = callback[name];
    if (hook) pending.push(hook.call(callback, event));
  }
  if (pending.length > 0) await Promise.all(pending);
}
