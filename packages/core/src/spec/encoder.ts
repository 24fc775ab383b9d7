import type * as tf from '@tensorflow/tfjs';
import type { EncoderCheckContext, ValueFinding } from './check.js';
import type { Feature, FeatureSpec, Modality } from './feature.js';
import type { EncoderMeasureContext, MediaMeasure } from './measure.js';
import type { ReadMedia, RecordContext } from './record.js';
import type { Rng } from './rng.js';

export type { ReadMedia, RecordContext } from './record.js';

export interface EncoderFitContext {
  readonly field: string;
  readonly readMedia: ReadMedia;
  /**
   * The id of each value's record (the manifest's `id` column, else its 0-based manifest row), in
   * the order of `values`: name these in errors, never the position in `values`.
   */
  readonly records?: readonly (string | number)[];
}

export interface EncoderPreprocessContext extends RecordContext {
  readonly readMedia: ReadMedia;
}

export interface EncoderAugmentContext extends RecordContext {
  readonly rng: Rng;
  readonly epoch: number;
}

export interface EncoderBuildContext<State> {
  readonly tf: typeof tf;
  /** Symbolic input of shape `[batch, ...featureSpec.shape]`. */
  readonly input: tf.SymbolicTensor;
  readonly state: State;
  /** Prefix for layer names (the field name); layer names must be unique within a model. */
  readonly name: string;
  readonly seed: number;
}

/** What an encoder's layers produce: one vector per example, or a sequence with a mask. */
export type EncodedOutput =
  | { readonly kind: 'vector'; readonly output: tf.SymbolicTensor; readonly dim: number }
  | {
      readonly kind: 'sequence';
      /** `[batch, length, dim]`. */
      readonly output: tf.SymbolicTensor;
      /** `[batch, length]` float mask (1 = real token) or null when every position is real. */
      readonly mask: tf.SymbolicTensor | null;
      readonly length: number;
      readonly dim: number;
    };

/**
 * A configured encoder: turns one field's raw values into learned features, in four steps that
 * run at different times so each can be cached or skipped on its own.
 */
export interface EncoderV1<Raw = unknown, State = unknown> {
  readonly specificationVersion: 'v1';
  /** Plugin id, `modality:name`, e.g. `vision:cnn`. */
  readonly id: string;
  readonly modality: Modality;
  /** Implementation version; part of the feature-cache key, so bump it when `preprocess` changes. */
  readonly version: string;
  /** Validated options with defaults filled in; JSON-serializable; part of the cache key. */
  readonly options: Readonly<Record<string, unknown>>;
  /**
   * Fits preprocessing state (vocabulary, statistics) on the training split only. The state must be
   * JSON-serializable: it is stored in the model bundle and hashed into the cache key.
   */
  fit(values: readonly Raw[], context: EncoderFitContext): Promise<State> | State;
  /** Deterministic: the same raw value, options and state always give the same feature. */
  preprocess(raw: Raw, state: State, context: EncoderPreprocessContext): Promise<Feature> | Feature;
  /** Shape and dtype of every feature `preprocess` returns under this state. */
  featureSpec(state: State): FeatureSpec;
  /** Optional seeded train-time augmentation of a preprocessed feature; never runs at evaluation. */
  augment?(feature: Feature, state: State, context: EncoderAugmentContext): Feature;
  /** Builds tfjs layers from the symbolic input to a vector or a masked sequence. */
  build(context: EncoderBuildContext<State>): EncodedOutput;
  /**
   * Optional cheap checks of one present raw value, run on every record of every split before
   * `fit` (`checkDataset`, `omnifuse check`): for media, sniff the format and read the header
   * (image size, audio duration and sample count) against this encoder's limits, without decoding
   * the whole value (a server's own limits go through `measure`). Returns the problems found, `[]`
   * when none. Must not throw for bad input: a value it cannot read is an `error` finding.
   */
  check?(raw: Raw, context: EncoderCheckContext): readonly ValueFinding[] | Promise<readonly ValueFinding[]>;
  /**
   * Optional, for media encoders: the size of one present raw value (pixels, seconds) against a
   * caller's limits, so a caller that knows nothing of the medium can refuse it before `preprocess`
   * decodes it: `@omnifuse/serve` checks every request's media with it, and refuses to serve a media
   * input whose encoder has none. Reads the header first and returns at once when it declares a size
   * over a limit; otherwise may decode, stopping once past `context.limits`, so memory stays bounded by
   * the limit. Unlike `check`, it throws (an `E_INPUT` OmnifuseError) for a value it cannot read.
   * Added to v1 as an optional member: encoders without it remain valid.
   */
  measure?(raw: Raw, context: EncoderMeasureContext): MediaMeasure | Promise<MediaMeasure>;
}

/**
 * What a package registers: a factory that validates options and returns a configured encoder.
 * `create` is also what the package exports as `createXxxEncoder`.
 */
export interface EncoderPluginV1<Raw = unknown, State = unknown> {
  readonly specificationVersion: 'v1';
  readonly kind: 'encoder';
  readonly id: string;
  readonly modality: Modality;
  /** The npm package that provides it; named in errors when a bundle needs it. */
  readonly packageName?: string;
  readonly description?: string;
  create(options?: unknown): EncoderV1<Raw, State>;
}
