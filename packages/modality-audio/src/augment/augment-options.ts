import { ErrorCode, formatPath, OmnifuseError } from '@omnifuse/core';
import { z } from 'zod';

/** The feature kinds `createFeatureExtractor` produces. */
export type AudioFeatureKind = 'power' | 'magnitude' | 'logmel' | 'mfcc';

/** What augmentation must know about the cached feature to treat it correctly. */
export interface AudioAugmentContext {
  readonly kind: AudioFeatureKind;
  /** Delta order appended to the feature (extractor `deltas`); noise is refused when > 0. */
  readonly deltas?: 0 | 1 | 2;
  /** Whether per-utterance CMVN was applied (extractor `cmvn`); noise is refused when true. */
  readonly cmvn?: boolean;
  /** The spectrogram's log1p scale (extractor `log1p`); noise is refused when set. */
  readonly log1p?: number;
  /** Whether the preprocess standardises with fitted statistics; noise is refused when true. */
  readonly standardized?: boolean;
}

const maskSchema = z
  .object({
    /** Masks drawn per clip; they may overlap. */
    count: z.number().int().min(0).max(64),
    /** Each mask's width is uniform in [0, maxWidth] (clamped to the axis length). */
    maxWidth: z.number().int().min(0).max(100_000),
  })
  .strict();

export const audioAugmentSchema = z
  .object({
    /** Shift frames by a uniform integer in [-maxFrames, maxFrames]; vacated frames get the minimum, or wrap with `roll`. */
    timeShift: z
      .object({
        maxFrames: z.number().int().min(0).max(100_000),
        roll: z.boolean().default(false),
      })
      .strict()
      .optional(),
    /** Additive white noise at an SNR (dB) drawn uniformly in `snrDb`, added in the power domain. */
    noise: z
      .object({
        snrDb: z
          .tuple([z.number().min(-30).max(120), z.number().min(-30).max(120)])
          .refine(([min, max]) => min <= max, 'snrDb must be [min, max] with min <= max'),
        kind: z.enum(['white']).default('white'),
      })
      .strict()
      .optional(),
    /** SpecAugment time masks (Park et al. 2019): whole frames set to the feature's mean. */
    timeMasks: maskSchema.optional(),
    /** SpecAugment frequency masks: whole bins / bands / coefficients set to the feature's mean. */
    frequencyMasks: maskSchema.optional(),
  })
  .strict();

export type AudioAugmentOptions = z.input<typeof audioAugmentSchema>;
export type AudioAugmentConfig = z.output<typeof audioAugmentSchema>;

/** Validates options against the schema and against the feature they will be applied to. */
export function parseAudioAugmentOptions(
  options: AudioAugmentOptions,
  context: AudioAugmentContext,
): AudioAugmentConfig {
  const result = audioAugmentSchema.safeParse(options ?? {});
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: `invalid audio augmentation options: ${issue.message}`,
      path: formatPath(issue.path),
      details: { issues: result.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })) },
    });
  }
  const config = result.data;
  if (config.noise) {
    // The DCT, deltas and CMVN mix or rescale log-power values; power-domain noise cannot be
    // added after them, so it belongs before feature extraction (on the waveform).
    const reason =
      context.kind === 'mfcc'
        ? 'noise cannot be added to mfcc features (it must be added before the DCT); add it to the waveform or use logmel'
        : context.cmvn
          ? 'noise cannot be added to CMVN-normalised features; add it before normalisation'
          : (context.deltas ?? 0) > 0
            ? 'noise cannot be added to features with deltas appended; add it before the deltas'
            : context.log1p !== undefined
              ? 'noise cannot be added to log1p-compressed spectrograms; add it to the waveform'
              : context.standardized
                ? 'noise cannot be added to standardised features; add it before standardisation'
                : undefined;
    if (reason) {
      throw new OmnifuseError({
        code: ErrorCode.InvalidOptions,
        message: reason,
        path: 'noise',
        expected: 'a power, magnitude or logmel feature without deltas, CMVN, log1p or standardisation',
        found: {
          kind: context.kind,
          deltas: context.deltas ?? 0,
          cmvn: context.cmvn ?? false,
          ...(context.log1p !== undefined ? { log1p: context.log1p } : {}),
          ...(context.standardized ? { standardized: true } : {}),
        },
      });
    }
  }
  return config;
}
