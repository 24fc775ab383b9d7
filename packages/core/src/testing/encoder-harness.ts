import { readFile } from 'node:fs/promises';
import type * as tfjs from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { tensorDTypeOf } from '../feature-arrays.js';
import type {
  EncodedOutput,
  EncoderPluginV1,
  EncoderPreprocessContext,
  EncoderV1,
  ReadMedia,
} from '../spec/encoder.js';
import type { Feature, FeatureSpec } from '../spec/feature.js';
import type { Tf } from './tf-helpers.js';

// What the encoder kits share: fit an encoder on samples, preprocess them, and build it into a model.

export interface FittedEncoder<Raw, State> {
  readonly encoder: EncoderV1<Raw, State>;
  readonly state: State;
  readonly spec: FeatureSpec;
  /** One feature per sample, in order. */
  readonly features: Feature[];
}

export interface FitOptions<Raw, State> {
  readonly plugin: EncoderPluginV1<Raw, State>;
  readonly options?: unknown;
  readonly samples: readonly Raw[];
  readonly field: string;
  readonly readMedia: ReadMedia;
}

/** Creates the encoder, fits it on the samples and preprocesses each of them. */
export async function fitOnSamples<Raw, State>(
  config: FitOptions<Raw, State>,
): Promise<FittedEncoder<Raw, State>> {
  expect(config.samples.length, 'the kit needs at least two samples').toBeGreaterThanOrEqual(2);
  const encoder = config.plugin.create(config.options);
  const state = await encoder.fit(config.samples, { field: config.field, readMedia: config.readMedia });
  const spec = encoder.featureSpec(state);
  const features: Feature[] = [];
  for (const [i, raw] of config.samples.entries())
    features.push(await encoder.preprocess(raw, state, preprocessContext(config, i)));
  return { encoder, state, spec, features };
}

export function preprocessContext(
  config: { readonly field: string; readonly readMedia: ReadMedia },
  record: string | number,
): EncoderPreprocessContext {
  return { record, field: config.field, readMedia: config.readMedia };
}

export interface BuiltEncoder {
  readonly input: tfjs.SymbolicTensor;
  readonly encoded: EncodedOutput;
}

/** The encoder on a fresh input of its feature spec, with layer names under `prefix`. */
export function buildEncoder<Raw, State>(
  tf: Tf,
  fitted: Pick<FittedEncoder<Raw, State>, 'encoder' | 'state' | 'spec'>,
  prefix: string,
  seed: number,
): BuiltEncoder {
  const input = tf.input({
    shape: [...fitted.spec.shape],
    dtype: tensorDTypeOf(fitted.spec.dtype),
    name: `${prefix}_input`,
  });
  const encoded = fitted.encoder.build({ tf, input, state: fitted.state, name: prefix, seed });
  return { input, encoded };
}

/** File refs read from disk, inline refs as they are. */
export const defaultReadMedia: ReadMedia = async (ref) =>
  ref.kind === 'inline' ? ref.bytes : new Uint8Array(await readFile(ref.path));
