/**
 * Element types a preprocessed feature can have. `uint8` suits pixel-like data (4× smaller in the
 * cache and in memory); it reaches the model as a float32 input, so an encoder that stores uint8
 * scales or normalises inside its layers. tfjs inputs are float32 or int32.
 */
export type FeatureDType = 'float32' | 'int32' | 'uint8';

/**
 * One record's preprocessed value for one input field: a dense typed array with a fixed shape
 * (no batch dimension). Features are what the feature cache stores and what `augment` receives.
 */
export interface Feature {
  readonly dtype: FeatureDType;
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array | Uint8Array;
}

/** The shape and element type every feature of one encoder has, known once its state is fitted. */
export interface FeatureSpec {
  readonly dtype: FeatureDType;
  readonly shape: readonly number[];
}

/** Modalities omnifuse knows; plugins may declare others. */
export type Modality = 'text' | 'image' | 'audio' | 'vector' | 'category' | (string & {});

/**
 * A media reference as the dataset hands it to an encoder: a file inside the data root (already
 * checked not to escape it) or inline bytes. Encoders of text and numeric fields get plain values.
 */
export type MediaRef =
  | { readonly kind: 'file'; readonly path: string; readonly relativePath: string }
  | { readonly kind: 'inline'; readonly bytes: Uint8Array; readonly mediaType?: string };
