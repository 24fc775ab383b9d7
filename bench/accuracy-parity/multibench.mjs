// MultiBench's AV-MNIST audio model and training recipe in omnifuse terms, shared by
// omnifuse-parity.mjs and fsdd-speakers.mjs (torch_parity.py's docstring has the PyTorch side).
import { audioInput } from '../../examples/av-mnist/audio-input.mjs';
import { LENET_LF_SPEC } from '../lenet-lf.mjs';
import { workersFlag } from './common.mjs';

/** MultiBench's LeNet(1, 6, 3) on the 28×28 grey image (pixels / 255): lenet-lf.mjs's image input. */
export const MULTIBENCH_IMAGE_INPUT = LENET_LF_SPEC.inputs[0];

/**
 * MultiBench's LeNet(1, 6, 5) on its 112×112 spectrogram: the centre 8,000 samples, Hann, nFft 222,
 * 112 frames, 112 bins, log1p(10·|X|), standardised with the training split's global mean and std.
 * It is the AV-MNIST example's default audio input (examples/av-mnist/audio-input.mjs).
 */
export const MULTIBENCH_AUDIO_INPUT = audioInput({ features: 'multibench' });

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
