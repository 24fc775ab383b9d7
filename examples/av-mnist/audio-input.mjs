// The AV-MNIST example's audio model: its audio:cnn2d input, head and training recipe. train.mjs
// builds its models from these; bench/accuracy-parity/fsdd-speakers.mjs scores the same defaults on
// speakers held out of training, so the benchmark follows whatever a user of the example gets.

/** train.mjs's audio flags' defaults (--features, --nfft, --hop, --mels, --mfcc, --cmvn, --audio-blocks). */
export const AUDIO_DEFAULTS = {
  features: 'mfcc',
  nFft: 512,
  hopLength: 128,
  nMels: 40,
  nMfcc: 20,
  cmvn: false,
  audioBlocks: 3,
};

/** train.mjs's --epochs, --batch and --lr defaults (Adam, best-validation weights restored). */
export const TRAINING_DEFAULTS = { epochs: 10, batchSize: 64, learningRate: 0.002 };

/** MultiBench's head, MLP(…, 100, 10), with dropout 0.2: every model's but late fusion's. */
export const HEAD = { hidden: [100], dropout: 0.2 };

/**
 * The clip centred in 1 s at 8 kHz, peak-normalised, MFCC (nFft 512, hop 128, 40 mels → 20
 * coefficients: 63 frames × 20) or log-mel, then LeNet(1, 6, audioBlocks): conv 5×5/6, 3×3/12, 24,
 * 48 → 3×1×48.
 */
export function audioInput(settings = AUDIO_DEFAULTS) {
  return {
    field: 'audio',
    encoder: 'audio:cnn2d',
    options: {
      preprocess: {
        sampleRate: 8000,
        duration: 1,
        crop: 'centre',
        gain: { mode: 'peak', target: 0.9 },
        features: {
          kind: settings.features,
          nFft: settings.nFft,
          hopLength: settings.hopLength,
          nMels: settings.nMels,
          ...(settings.features === 'mfcc' ? { nMfcc: settings.nMfcc } : {}),
          cmvn: settings.cmvn,
        },
      },
      baseFilters: 6,
      extraBlocks: settings.audioBlocks,
      firstKernel: 5,
      head: 'flatten',
    },
  };
}
