import type * as tfjs from '@tensorflow/tfjs';
import { hashSeed } from '../rng.js';

/**
 * PyTorch BatchNorm's defaults as tfjs `batchNormalization` arguments: running-average momentum 0.1
 * (tfjs's momentum 0.9) and epsilon 1e-5 (tfjs's defaults are 0.99 and 1e-3), so ported
 * architectures normalise, and their moving statistics settle, as the originals do.
 */
export const PYTORCH_BATCH_NORM = { momentum: 0.9, epsilon: 1e-5 } as const;

/** How a composed model's weights start (`training.initialization`). */
export type InitializationScheme = 'plugin' | 'pytorch';

/** Layer classes whose kernel and bias `pytorch` re-draws: those torch.nn.Linear / ConvNd stand for. */
const TORCH_INITIALIZED = new Set([
  'Dense',
  'Conv1D',
  'Conv2D',
  'OmnifuseConv2D',
  'Conv3D',
  'Conv2DTranspose',
  'Conv3DTranspose',
]);

/**
 * `pytorch`: re-draws the kernel and bias of every dense and convolution layer as
 * `torch.nn.Linear` / `ConvNd.reset_parameters` do — kernel `kaiming_uniform_(a=√5)`, which is
 * U(−1/√fan_in, 1/√fan_in), and bias U(−1/√fan_in, 1/√fan_in), fan_in = inputs × kernel size — each
 * from a seed derived from `seed` and the weight's name, so a model starts the same every time.
 * Other layers (normalisation, embeddings, attention and fusion layers) keep their plugin's
 * initialisers, as do all weights under `plugin`. Returns the number of layers re-drawn.
 */
export function applyInitialization(
  tf: typeof tfjs,
  model: tfjs.LayersModel,
  scheme: InitializationScheme,
  seed: number,
): number {
  if (scheme === 'plugin') return 0;
  let count = 0;
  for (const layer of model.layers) {
    if (!TORCH_INITIALIZED.has(layer.getClassName())) continue;
    const weights = layer.weights;
    const kernel = weights.find((w) => /(^|\/)kernel(_\d+)?$/.test(w.originalName));
    if (!kernel) continue;
    const shape = kernel.shape as number[];
    // tfjs kernels are [...kernel size, in, out] (transposed convs: [...kernel size, out, in]).
    const transposed = layer.getClassName().endsWith('Transpose');
    const spatial = shape.slice(0, -2).reduce((a, b) => a * b, 1);
    const fanIn = spatial * shape[transposed ? shape.length - 1 : shape.length - 2]!;
    const bound = 1 / Math.sqrt(fanIn);
    const drawn: tfjs.Tensor[] = [];
    const values = weights.map((w) => {
      if (w !== kernel && !/(^|\/)bias(_\d+)?$/.test(w.originalName)) return w.read();
      const value = tf.randomUniform(
        w.shape as number[],
        -bound,
        bound,
        'float32',
        hashSeed(`${seed}:init:${w.originalName}`),
      );
      drawn.push(value);
      return value;
    });
    layer.setWeights(values);
    tf.dispose(drawn);
    count++;
  }
  return count;
}
