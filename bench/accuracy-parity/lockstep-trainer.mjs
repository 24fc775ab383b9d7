// --lockstep for omnifuse-parity.mjs: a trainer plugin, `bench:lockstep`, that runs
// @omnifuse/trainer's supervised loop unchanged and, before its first step, writes what PyTorch
// needs to take the very same steps: the model's initial trainable weights (in the model's order,
// with their names and tfjs shapes) and each epoch's batch order (the permutation of training rows
// the supervised trainer draws: createRng(seed).fork('shuffle').fork(`epoch:${e}`)).
// torch_parity.py --lockstep=DIR loads both, so the two sides start from the same weights and see
// the same batches; lockstep.mjs compares their losses step by step.
import path from 'node:path';
import { createRng, shuffled, writeFileAtomic } from '@omnifuse/core';
import { supervisedTrainerPlugin } from '@omnifuse/trainer';

export const LOCKSTEP_TRAINER = 'bench:lockstep';

/** The file torch_parity.py reads for `model` and `seed` (the same name on both sides). */
export const lockstepFile = (dir, model, seed) => path.join(dir, `${model}-seed${seed}.json`);

/**
 * The supervised trainer's permutations of `size` rows for `epochs` epochs, drawn as its fit()
 * draws them (one 'shuffle' fork of the seed, then one fork per epoch, in epoch order).
 */
export function batchOrders(seed, size, epochs) {
  const rng = createRng(seed).fork('shuffle');
  const rows = Array.from({ length: size }, (_, i) => i);
  return Array.from({ length: epochs }, (_, epoch) => shuffled(rows, rng.fork(`epoch:${epoch}`)));
}

/** The model's trainable weights in its order: name, tfjs shape and values. */
function trainableWeights(model) {
  return model.trainableWeights.map((weight) => ({
    name: weight.originalName ?? weight.name,
    shape: weight.shape,
    values: Array.from(weight.read().dataSync()),
  }));
}

/** `bench:lockstep`, writing `lockstepFile(dir, tag.model, tag.seed)` for the run `tag()` names. */
export function lockstepTrainerPlugin(dir, tag) {
  return {
    ...supervisedTrainerPlugin,
    id: LOCKSTEP_TRAINER,
    description: 'trainer:supervised, writing its initial weights and batch order for torch_parity.py',
    create(options) {
      const inner = supervisedTrainerPlugin.create(options);
      return {
        ...inner,
        id: LOCKSTEP_TRAINER,
        async fit(args) {
          const { model, seed } = tag();
          if (args.options.shuffle === false) throw new Error('--lockstep needs shuffled batches');
          const weights = trainableWeights(args.model);
          const orders = batchOrders(args.options.seed, args.train.size, args.options.epochs);
          await writeFileAtomic(
            lockstepFile(dir, model, seed),
            `${JSON.stringify({ model, seed, trainSize: args.train.size, weights, orders })}\n`,
          );
          const history = await inner.fit(args);
          // The weights the run ended with (after restoring the best epoch), to diff a short run's.
          await writeFileAtomic(
            lockstepFile(dir, model, seed).replace(/\.json$/, '.after.json'),
            `${JSON.stringify({ model, seed, weights: trainableWeights(args.model) })}\n`,
          );
          return history;
        },
      };
    },
  };
}
