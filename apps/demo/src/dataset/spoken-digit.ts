import type { Rng } from '@omnifuse/core';
import type { SpeechSettings } from './speech-synthesizer.js';
import { SPEECH_LANGUAGES } from './voices.js';

export const DIGIT_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/** How the clips vary; the SNR range is what makes audio alone clearly imperfect. */
export const SPOKEN_DIGIT_SETTINGS = {
  pitch: [15, 85],
  rate: [120, 280],
  range: [10, 90],
  leadSeconds: [0, 0.3],
  trailSeconds: [0, 0.3],
  gain: [0.25, 0.95],
  snrDb: [-5, 20],
  /** Share of clips that wrap the word in a phrase ("number seven") instead of saying it alone. */
  phrased: 0.2,
} as const;

const PHRASES = ['number {w}', 'the digit {w}', "it's {w}", '{w}, {w}'];

export interface SpokenDigitPlan {
  readonly text: string;
  readonly variant: string;
  readonly speech: SpeechSettings;
  readonly leadSeconds: number;
  readonly trailSeconds: number;
  /** Peak level of the final clip, in (0, 1). */
  readonly gain: number;
  /** Speech-to-noise power ratio of the added white noise. */
  readonly snrDb: number;
}

/** Draws what to say and how to say it, with a voice variant from `variants`. */
export function planSpokenDigit(label: number, variants: readonly string[], rng: Rng): SpokenDigitPlan {
  const s = SPOKEN_DIGIT_SETTINGS;
  const word = DIGIT_WORDS[label]!;
  const text = rng.next() < s.phrased ? PHRASES[rng.int(PHRASES.length)]!.replaceAll('{w}', word) : word;
  const language = SPEECH_LANGUAGES[rng.int(SPEECH_LANGUAGES.length)]!;
  const variant = variants[rng.int(variants.length)]!;
  return {
    text,
    variant,
    speech: {
      voice: `${language}+${variant}`,
      pitch: Math.round(uniform(rng, s.pitch)),
      rate: Math.round(uniform(rng, s.rate)),
      range: Math.round(uniform(rng, s.range)),
    },
    leadSeconds: uniform(rng, s.leadSeconds),
    trailSeconds: uniform(rng, s.trailSeconds),
    gain: uniform(rng, s.gain),
    snrDb: uniform(rng, s.snrDb),
  };
}

/**
 * The clip for a plan: speech padded with silence, white noise added at the plan's SNR (measured
 * against the speech's own power, so padding does not change it), then scaled to the plan's peak.
 */
export function renderSpokenDigit(
  speech: Int16Array,
  plan: SpokenDigitPlan,
  sampleRate: number,
  rng: Rng,
): Float32Array {
  const lead = Math.round(plan.leadSeconds * sampleRate);
  const trail = Math.round(plan.trailSeconds * sampleRate);
  const clip = new Float32Array(lead + speech.length + trail);
  for (let i = 0; i < speech.length; i++) clip[lead + i] = speech[i]! / 32768;
  const noisy = addWhiteNoise(clip, plan.snrDb, rng, meanPower(clip.subarray(lead, lead + speech.length)));
  let peak = 0;
  for (const x of noisy) peak = Math.max(peak, Math.abs(x));
  const scale = peak > 0 ? plan.gain / peak : 0;
  for (let i = 0; i < noisy.length; i++) noisy[i]! *= scale;
  return noisy;
}

/** `signal` plus Gaussian white noise whose power is `signalPower / 10^(snrDb / 10)`. */
export function addWhiteNoise(
  signal: Float32Array,
  snrDb: number,
  rng: Rng,
  signalPower = meanPower(signal),
): Float32Array {
  const sigma = Math.sqrt(signalPower / 10 ** (snrDb / 10));
  const out = new Float32Array(signal.length);
  for (let i = 0; i < signal.length; i++) out[i] = signal[i]! + sigma * rng.normal();
  return out;
}

export function meanPower(samples: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
  return samples.length > 0 ? sum / samples.length : 0;
}

function uniform(rng: Rng, [low, high]: readonly [number, number]): number {
  return low + (high - low) * rng.next();
}
