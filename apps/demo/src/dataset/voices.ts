/**
 * eSpeak-NG voices are a language plus a variant (`en-us+f3`). Train and test use disjoint variants
 * so that test accuracy measures generalisation to voices the model never heard; validation uses
 * the train variants, so it tracks fit on the training distribution (early stopping, tuning).
 */
export const SPEECH_LANGUAGES = [
  'en-us',
  'en',
  'en-gb-x-rp',
  'en-gb-scotland',
  'en-029',
  'en-us-nyc',
] as const;

export const TRAIN_VOICE_VARIANTS = [
  'f1',
  'f2',
  'f4',
  'm1',
  'm2',
  'm4',
  'm5',
  'm7',
  'klatt',
  'klatt3',
  'croak',
  'whisperf',
  'Alicia',
  'Andy',
  'edward',
  'linda',
  'robert',
  'steph',
] as const;

export const TEST_VOICE_VARIANTS = [
  'f3',
  'f5',
  'm3',
  'm6',
  'klatt2',
  'whisper',
  'Annie',
  'david',
  'grandpa',
  'quincy',
] as const;

export type DemoSplit = 'train' | 'validation' | 'test';

/** The variants a split draws its voices from. */
export function voiceVariantsFor(split: DemoSplit): readonly string[] {
  return split === 'test' ? TEST_VOICE_VARIANTS : TRAIN_VOICE_VARIANTS;
}
