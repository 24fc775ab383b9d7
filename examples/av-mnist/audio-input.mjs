// The AV-MNIST example's audio model: its audio:cnn2d input, head and training recipe. train.mjs
// builds its models from these; bench/accuracy-parity/ trains the same audio input against PyTorch
// (omnifuse-parity.mjs) and scores it on speakers held out of training (fsdd-speakers.mjs), so the
// benchmarks follow whatever a user of the example gets.
//
// The defaults are MultiBench's AV-MNIST recipe, which the parity work (issue 17, bench/README.md
// "accuracy-parity") showed both learns the noisy clips as well as PyTorch does and generalises
// across speakers best. The example's earlier MFCC input and Adam recipe stay available
// (`--features=mfcc --recipe=adam`).

/** train.mjs's audio flags' defaults (--features, --nfft, --hop, --mels, --mfcc, --cmvn, --audio-blocks). */
export const AUDIO_DEFAULTS = { features: 'multibench' };

/** The earlier default, MFCC 63×20 → LeNet(1, 6, 3), and what --features=mfcc/logmel start from. */
export const MFCC_DEFAULTS = {
  features: 'mfcc',
  nFft: 512,
  hopLength: 128,
  nMels: 40,
  nMfcc: 20,
  cmvn: false,
  audioBlocks: 3,
};

/**
 * MultiBench's training recipe (its training_structures train() on AV-MNIST): SGD lr 0.1 without
 * momentum, weight decay 1e-4 as PyTorch's coupled L2, batch 40, gradient-norm clip 8, PyTorch's
 * default initialisation, 30 epochs, the epoch with the best validation accuracy restored.
 */
export const SGD_RECIPE = {
  recipe: 'sgd',
  epochs: 30,
  batchSize: 40,
  learningRate: 0.1,
  weightDecay: 1e-4,
  gradientClipNorm: 8,
  initialization: 'pytorch',
  monitor: 'val_accuracy',
  lrSchedule: 'constant',
};

/** The earlier recipe: Adam 0.002, batch 64, 10 epochs, the plugins' initialisers, best val_loss. */
export const ADAM_RECIPE = {
  recipe: 'adam',
  epochs: 10,
  batchSize: 64,
  learningRate: 0.002,
  weightDecay: 0,
  gradientClipNorm: null,
  initialization: 'plugin',
  monitor: 'val_loss',
  lrSchedule: 'constant',
};

/** train.mjs's --recipe default and the values behind --epochs, --batch, --lr (and the rest). */
export const TRAINING_DEFAULTS = SGD_RECIPE;

/** The recipe named by --recipe (sgd or adam). */
export function recipeNamed(name = TRAINING_DEFAULTS.recipe) {
  const recipe = { sgd: SGD_RECIPE, adam: ADAM_RECIPE }[name];
  if (!recipe) throw new Error(`--recipe: unknown "${name}"; expected sgd or adam`);
  return recipe;
}

/** `spec.training` for a recipe (plus the run's seed, workers and any per-flag overrides). */
export function trainingSpec(recipe, { seed = 1, workers = 1 } = {}) {
  return {
    epochs: recipe.epochs,
    batchSize: recipe.batchSize,
    learningRate: recipe.learningRate,
    optimizer: recipe.recipe,
    ...(recipe.weightDecay > 0 ? { optimizerOptions: { weightDecay: recipe.weightDecay } } : {}),
    ...(recipe.gradientClipNorm ? { gradientClipNorm: recipe.gradientClipNorm } : {}),
    ...(recipe.lrSchedule && recipe.lrSchedule !== 'constant'
      ? { lrSchedule: { type: recipe.lrSchedule } }
      : {}),
    initialization: recipe.initialization,
    monitor: recipe.monitor,
    restoreBestWeights: true,
    seed,
    workers,
  };
}

/** MultiBench's head, MLP(…, 100, 10): every model's but late fusion's. */
export const HEAD = { hidden: [100], dropout: 0 };

/** The earlier default's head: MLP(…, 100, 10) with dropout 0.2. */
export const MFCC_HEAD = { hidden: [100], dropout: 0.2 };

/**
 * The audio:cnn2d input for `settings.features`:
 * - `multibench` — MultiBench's spectrogram: the centre 8,000 samples (zero-padded), periodic Hann,
 *   nFft 222, 112 frames, the magnitude of the first 112 bins, log1p(10·x), standardised with the
 *   training split's global mean and std → LeNet(1, 6, 5): conv 5×5/6, then 3×3/12 … 192, each
 *   BN → ReLU → max-pool 2 → 1×1×192.
 * - `mfcc` / `logmel` — the clip centred in 1 s, peak-normalised, MFCC (nFft 512, hop 128, 40 mels
 *   → 20 coefficients: 63 frames × 20) or log-mel, then LeNet(1, 6, audioBlocks) → 3×1×48.
 */
export function audioInput(settings = AUDIO_DEFAULTS) {
  if (settings.features === 'multibench') {
    return cnn2dInput(
      {
        standardize: 'global',
        features: { kind: 'magnitude', nFft: 222, frames: 112, bins: 112, log1p: 10 },
      },
      settings.audioBlocks ?? 5,
    );
  }
  const mfcc = { ...MFCC_DEFAULTS, ...settings };
  if (mfcc.features !== 'mfcc' && mfcc.features !== 'logmel') {
    throw new Error(`--features: unknown "${mfcc.features}"; expected multibench, mfcc or logmel`);
  }
  return cnn2dInput(
    {
      gain: { mode: 'peak', target: 0.9 },
      features: {
        kind: mfcc.features,
        nFft: mfcc.nFft,
        hopLength: mfcc.hopLength,
        nMels: mfcc.nMels,
        ...(mfcc.features === 'mfcc' ? { nMfcc: mfcc.nMfcc } : {}),
        cmvn: mfcc.cmvn,
      },
    },
    mfcc.audioBlocks,
  );
}

/** audio:cnn2d on the clip's centre second at 8 kHz, LeNet(1, 6, 1 + extraBlocks), first kernel 5×5. */
function cnn2dInput(preprocess, extraBlocks) {
  return {
    field: 'audio',
    encoder: 'audio:cnn2d',
    options: {
      preprocess: { sampleRate: 8000, duration: 1, crop: 'centre', ...preprocess },
      baseFilters: 6,
      extraBlocks,
      firstKernel: 5,
      head: 'flatten',
    },
  };
}
