// MultiBench's AV-MNIST audio model and training recipe in omnifuse terms, shared by
// omnifuse-parity.mjs and fsdd-speakers.mjs (torch_parity.py's docstring has the PyTorch side).
import { LENET_LF_SPEC } from '../lenet-lf.mjs';
import { workersFlag } from './common.mjs';

/** MultiBench's LeNet(1, 6, 3) on the 28×28 grey image (pixels / 255): lenet-lf.mjs's image input. */
export const MULTIBENCH_IMAGE_INPUT = LENET_LF_SPEC.inputs[0];

/**
 * MultiBench's LeNet(1, 6, 5) on its 112×112 spectrogram: the centre 8,000 samples, Hann, nFft 222,
 * 112 frames, 112 bins, log1p(10·|X|), standardised with the training split's global mean and std.
 */
export const MULTIBENCH_AUDIO_INPUT = {
  field: 'audio',
  encoder: 'audio:cnn2d',
  options: {
    preprocess: {
      sampleRate: 8000,
      duration: 1,
      crop: 'centre',
      standardize: 'global',
      features: { kind: 'magnitude', nFft: 222, frames: 112, bins: 112, log1p: 10 },
    },
    baseFilters: 6,
    extraBlocks: 5,
    firstKernel: 5,
    head: 'flatten',
  },
};

/** MultiBench's MLP(…, 100, 10) head, without dropout. */
export const MULTIBENCH_HEAD = { hidden: [100], dropout: 0 };

/** The recipe's flags (--epochs, --batch, --lr, --weight-decay, --clip, --init, --workers) and their defaults. */
export function multibenchRecipe(flags) {
  return {
    epochs: Number(flags.epochs ?? 30),
    batch: Number(flags.batch ?? 40),
    lr: Number(flags.lr ?? 0.1),
    weightDecay: Number(flags['weight-decay'] ?? 1e-4),
    clip: Number(flags.clip ?? 8),
    init: flags.init ?? 'pytorch',
    workers: workersFlag(flags.workers),
  };
}

/**
 * MultiBench's training/structures train() as `spec.training`: sgd lr 0.1, weightDecay 1e-4
 * (PyTorch's coupled L2), batch 40, gradientClipNorm 8, PyTorch's initialisation, the best epoch by
 * validation accuracy restored.
 */
export function multibenchTraining(recipe, seed) {
  return {
    epochs: recipe.epochs,
    batchSize: recipe.batch,
    learningRate: recipe.lr,
    optimizer: 'sgd',
    optimizerOptions: { weightDecay: recipe.weightDecay },
    gradientClipNorm: recipe.clip,
    seed,
    initialization: recipe.init,
    monitor: 'val_accuracy',
    restoreBestWeights: true,
    workers: recipe.workers,
  };
}

/** The recipe as the result's `settings` name it (torch_parity.py's keys). */
export function multibenchSettings(recipe) {
  return {
    epochs: recipe.epochs,
    batch: recipe.batch,
    optimizer: 'sgd',
    lr: recipe.lr,
    momentum: 0,
    weight_decay: recipe.weightDecay,
    clip: recipe.clip,
    initialization: recipe.init,
    workers: recipe.workers,
    selection: 'best validation accuracy',
  };
}
