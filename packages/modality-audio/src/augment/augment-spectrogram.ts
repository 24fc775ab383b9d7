import type { Feature, Rng } from '@omnifuse/core';
import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import {
  type AudioAugmentContext,
  type AudioAugmentOptions,
  parseAudioAugmentOptions,
} from './augment-options.js';
import { applyMasks } from './spec-masks.js';
import { shiftFrames } from './time-shift.js';
import { addWhiteNoise } from './white-noise.js';

/**
 * Train-time augmentation of a cached audio feature (`[frames, dims, 1]` or `[frames, dims]`
 * float32), in this order: time shift, noise, time masks, frequency masks. Returns a new feature of
 * the same shape; the input is never changed. Each step draws from its own fork of `rng`, so turning
 * one on or off does not change what the others draw.
 *
 * Masked cells get the mean of the feature as it stands before masking (Park et al. mask with 0 on
 * mean-normalised log-mels, which is the same value). Time-shift fill is the input's minimum, which
 * for dB features is the silence floor.
 */
export function augmentSpectrogram(
  feature: Feature,
  options: AudioAugmentOptions,
  context: AudioAugmentContext,
  rng: Rng,
): Feature {
  const config = parseAudioAugmentOptions(options, context);
  const { frames, dims } = spectrogramLayout(feature);
  const input = feature.data as Float32Array;
  let data = input;

  if (config.timeShift) {
    const { maxFrames, roll } = config.timeShift;
    const shift = rng.fork('timeShift').int(2 * maxFrames + 1) - maxFrames;
    data = shiftFrames(
      data,
      frames,
      dims,
      shift,
      roll ? { roll: true } : { roll: false, fill: minimum(input) },
    );
  }
  if (config.noise && context.kind !== 'mfcc') {
    const noiseRng = rng.fork('noise');
    const [min, max] = config.noise.snrDb;
    data = addWhiteNoise(data, context.kind, min + (max - min) * noiseRng.next(), noiseRng);
  }
  if (config.timeMasks || config.frequencyMasks) {
    if (data === input) data = new Float32Array(input);
    const fill = mean(data);
    if (config.timeMasks)
      applyMasks(data, frames, dims, 'time', config.timeMasks, fill, rng.fork('timeMasks'));
    if (config.frequencyMasks)
      applyMasks(data, frames, dims, 'frequency', config.frequencyMasks, fill, rng.fork('frequencyMasks'));
  }
  return {
    dtype: 'float32',
    shape: [...feature.shape],
    data: data === input ? new Float32Array(input) : data,
  };
}

function spectrogramLayout(feature: Feature): { frames: number; dims: number } {
  const { shape } = feature;
  const rankOk = shape.length === 2 || (shape.length === 3 && shape[2] === 1);
  const size = shape.reduce((a, b) => a * b, 1);
  if (
    feature.dtype !== 'float32' ||
    !(feature.data instanceof Float32Array) ||
    !rankOk ||
    size !== feature.data.length
  ) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message:
        'audio augmentation needs a float32 spectrogram feature of shape [frames, dims] or [frames, dims, 1]',
      step: 'augment',
      expected: 'float32 [frames, dims] or [frames, dims, 1]',
      found: { dtype: feature.dtype, shape: [...shape], length: feature.data.length },
    });
  }
  return { frames: shape[0]!, dims: shape[1]! };
}

function minimum(data: Float32Array): number {
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < data.length; i++) if (data[i]! < min) min = data[i]!;
  return Number.isFinite(min) ? min : 0;
}

function mean(data: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum += data[i]!;
  return data.length === 0 ? 0 : sum / data.length;
}
