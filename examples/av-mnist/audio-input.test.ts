import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script without type declarations
import {
  MULTIBENCH_HEAD,
  multibenchRecipe,
  multibenchTraining,
} from '../../bench/accuracy-parity/multibench.mjs';
import {
  ADAM_RECIPE,
  AUDIO_DEFAULTS,
  audioInput,
  HEAD,
  MFCC_DEFAULTS,
  recipeNamed,
  TRAINING_DEFAULTS,
  trainingSpec,
  // @ts-expect-error: a plain ESM script without type declarations
} from './audio-input.mjs';

// The example's defaults are the recipe bench/accuracy-parity/ trains against PyTorch and scores on
// held-out FSDD speakers: if they drift apart, the figures in bench/README.md stop describing the
// example.
describe("the AV-MNIST example's defaults", () => {
  it('are MultiBench’s spectrogram and LeNet(1, 6, 5), standardised on the training split', () => {
    const input = audioInput(AUDIO_DEFAULTS);
    expect(input.encoder).toBe('audio:cnn2d');
    expect(input.options.preprocess).toEqual({
      sampleRate: 8000,
      duration: 1,
      crop: 'centre',
      standardize: 'global',
      features: { kind: 'magnitude', nFft: 222, frames: 112, bins: 112, log1p: 10 },
    });
    expect(input.options).toMatchObject({ baseFilters: 6, extraBlocks: 5, firstKernel: 5, head: 'flatten' });
    expect(HEAD).toEqual(MULTIBENCH_HEAD);
  });

  it('train with the parity benchmark’s recipe (SGD 0.1, coupled L2 1e-4, clip 8, PyTorch init)', () => {
    expect(TRAINING_DEFAULTS.recipe).toBe('sgd');
    expect(trainingSpec(TRAINING_DEFAULTS, { seed: 3, workers: 1 })).toEqual(
      multibenchTraining(multibenchRecipe({}), 3),
    );
  });

  it('keep the earlier MFCC input and Adam recipe behind flags', () => {
    const input = audioInput({ features: 'mfcc' });
    expect(input.options.preprocess.features).toEqual({
      kind: 'mfcc',
      nFft: MFCC_DEFAULTS.nFft,
      hopLength: MFCC_DEFAULTS.hopLength,
      nMels: MFCC_DEFAULTS.nMels,
      nMfcc: MFCC_DEFAULTS.nMfcc,
      cmvn: false,
    });
    expect(input.options.extraBlocks).toBe(3);
    expect(audioInput({ features: 'logmel', nMels: 64 }).options.preprocess.features).not.toHaveProperty(
      'nMfcc',
    );
    const adam = trainingSpec(recipeNamed('adam'));
    expect(adam).toMatchObject({
      optimizer: 'adam',
      learningRate: ADAM_RECIPE.learningRate,
      monitor: 'val_loss',
    });
    expect(adam).not.toHaveProperty('optimizerOptions');
    expect(adam).not.toHaveProperty('gradientClipNorm');
  });

  it('name an unknown feature kind or recipe', () => {
    expect(() => audioInput({ features: 'mel' })).toThrow(/--features: unknown "mel"/);
    expect(() => recipeNamed('rmsprop')).toThrow(/--recipe: unknown "rmsprop"/);
  });
});
