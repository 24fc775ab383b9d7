import path from 'node:path';
import {
  applyProjection,
  asPluginError,
  type EncodedOutput,
  type EncoderBuildContext,
  type EncoderFitContext,
  type EncoderPluginV1,
  type EncoderPreprocessContext,
  type EncoderV1,
  ErrorCode,
  type Modality,
  OmnifuseError,
  type ProjectionOptions,
  parseEncoderOptions,
} from '@omnifuse/core';
import type { OnnxModel } from './load-onnx-model.js';
import { asModelOptionError, checkModelFile } from './model-option-errors.js';
import { pinOnnxModel } from './pinned-model.js';

/** What every ONNX encoder's fitted state holds (plain JSON, hashed into the feature-cache key). */
export interface OnnxEncoderStateBase {
  /** Identifies the exact weights: a changed file changes the state, hence every cache key. */
  readonly model: { readonly sha256: string; readonly byteLength: number };
  /** The runtime that computes the features, e.g. `onnxruntime-node 1.30.0`. */
  readonly runtime: string;
}

/** What `fit` adds to {@link OnnxEncoderStateBase}: the modality's part of the state. */
export type OnnxEncoderFitted<State extends OnnxEncoderStateBase> = Omit<State, keyof OnnxEncoderStateBase>;

/**
 * The modality's part of one ONNX encoder: how raw values become the model's inputs and its outputs
 * the feature. Everything else (the model file, its session, the lazily loaded onnxruntime-node, the
 * pinned weights, the error stamps and the trainable head) is {@link defineOnnxEncoder}'s.
 */
export interface OnnxEncoderInstance<Raw, State extends OnnxEncoderStateBase, Input = Raw, Learned = void> {
  /**
   * Learns from the data what preprocessing needs (e.g. standardisation statistics), before the
   * model opens. Its errors stay as raised: they are about records, not the model.
   */
  learn?(values: readonly Raw[], context: EncoderFitContext): Promise<Learned>;
  /**
   * Matches the freshly opened model to the options (input and output names, shapes) and measures
   * the feature; any error is an `E_OPTIONS` error naming the plugin, `fit` and the model file.
   */
  fit(model: OnnxModel, context: EncoderFitContext, learned: Learned): Promise<OnnxEncoderFitted<State>>;
  /**
   * A raw value → the model's input, before the model runs (decoding, resizing, spectrograms). Its
   * errors already name the record and stay as raised. Default: the raw value itself.
   */
  prepare?(raw: Raw, state: State, context: EncoderPreprocessContext): Promise<Input>;
  /** Runs the model, holding the fitted weights, on one prepared value: the feature's values. */
  run(model: OnnxModel, input: Input, state: State): Promise<Float32Array>;
  /** Shape of the feature `run` returns. */
  featureShape(state: State): number[];
  check?: EncoderV1<Raw, State>['check'];
  /** How big a raw value is (pixels, seconds), for serve's limits: the modality's own `measure`. */
  measure?: EncoderV1<Raw, State>['measure'];
  /**
   * The trainable layers on the frozen features: a dense projection of the feature vector
   * (`units: null` passes it through, under an identity layer), or the instance's own `build`.
   */
  readonly head: ProjectionOptions | ((context: EncoderBuildContext<State>) => EncodedOutput);
}

export interface OnnxEncoderDefinition<
  Raw,
  Options extends { readonly model: string },
  State extends OnnxEncoderStateBase,
  Input = Raw,
  Learned = void,
> {
  /** Plugin id, e.g. `vision:onnx`. */
  readonly id: string;
  readonly modality: Modality;
  readonly packageName: string;
  readonly description: string;
  /** Part of the feature-cache key: bump it (or the preprocessor's part) when features change. */
  readonly version: string;
  /** Options schema; `model` is the `.onnx` path, relative to the process's working directory. */
  readonly schema: Parameters<typeof parseEncoderOptions<Options>>[1];
  /**
   * The modality's part of one encoder, from its parsed options and the model file (resolved,
   * checked to exist). Option checks that need no model belong here, so they fail at create.
   */
  instance(options: Options, file: string): OnnxEncoderInstance<Raw, State, Input, Learned>;
}

export interface OnnxEncoderKit<Raw, Options, State> {
  readonly plugin: EncoderPluginV1<Raw, State>;
  readonly create: (options?: unknown) => EncoderV1<Raw, State> & { readonly options: Options };
}

/**
 * Builds an encoder plugin that runs a frozen pretrained ONNX model with onnxruntime-node while
 * preprocessing, so its features land in the feature cache and training only fits the layers on
 * top. One session per encoder instance, opened on first use (onnxruntime-node is imported only
 * then) and tied to the weights `fit` pinned by sha256; a feature never depends on which records
 * share a batch, since each value runs on its own.
 */
export function defineOnnxEncoder<
  Raw,
  Options extends { readonly model: string },
  State extends OnnxEncoderStateBase,
  Input = Raw,
  Learned = void,
>(
  definition: OnnxEncoderDefinition<Raw, Options, State, Input, Learned>,
): OnnxEncoderKit<Raw, Options, State> {
  const { id } = definition;

  const create = (options: unknown = {}) => {
    const parsed = parseEncoderOptions(id, definition.schema, options);
    const file = path.resolve(parsed.model);
    checkModelFile(file, { plugin: id });
    const instance = definition.instance(parsed, file);
    const pinned = pinOnnxModel(file, { plugin: id });
    const { head } = instance;

    const encoder: EncoderV1<Raw, State> & { readonly options: Options } = {
      specificationVersion: 'v1',
      id,
      modality: definition.modality,
      version: definition.version,
      options: parsed,

      async fit(values, context) {
        const learned = (instance.learn ? await instance.learn(values, context) : undefined) as Learned;
        try {
          // Reopened on every fit, so the state pins the file as it is now.
          const model = await pinned.reopen('fit');
          const fitted = await instance.fit(model, context, learned);
          return {
            model: { sha256: model.sha256, byteLength: model.byteLength },
            runtime: model.runtime,
            ...fitted,
          } as unknown as State;
        } catch (error) {
          throw asModelOptionError(error, { plugin: id, step: 'fit', field: context.field, file });
        }
      },

      async preprocess(raw, state, context) {
        const input = instance.prepare
          ? await instance.prepare(raw, state, context)
          : (raw as unknown as Input);
        try {
          const model = await pinned.withWeights(state.model.sha256);
          const data = await instance.run(model, input, state);
          return { dtype: 'float32', shape: instance.featureShape(state), data };
        } catch (error) {
          throw asPluginError(error, {
            plugin: id,
            step: 'preprocess',
            record: context.record,
            field: context.field,
            file,
          });
        }
      },

      featureSpec: (state) => ({ dtype: 'float32', shape: instance.featureShape(state) }),

      build(context) {
        if (typeof head === 'function') return head(context);
        const { tf, input, state, name, seed } = context;
        const output = applyProjection(tf, input, head, { name, seed, identity: true });
        return { kind: 'vector', output, dim: head.units ?? instance.featureShape(state)[0]! };
      },
    };
    if (instance.check) encoder.check = instance.check;
    if (instance.measure) encoder.measure = instance.measure;
    return encoder;
  };

  const plugin: EncoderPluginV1<Raw, State> = {
    specificationVersion: 'v1',
    kind: 'encoder',
    id,
    modality: definition.modality,
    packageName: definition.packageName,
    description: definition.description,
    create,
  };
  return { plugin, create };
}

/**
 * The model's input or output an option names (default the model's first), else an `E_OPTIONS`
 * error at that option listing the model's names.
 */
export function modelValueName(
  model: OnnxModel,
  option: 'input' | 'output',
  wanted: string | undefined,
): string {
  const names = option === 'input' ? model.inputNames : model.outputNames;
  if (wanted === undefined) return names[0]!;
  if (names.includes(wanted)) return wanted;
  throw new OmnifuseError({
    code: ErrorCode.InvalidOptions,
    message: `the model has no ${option} "${wanted}"`,
    path: option,
    expected: names,
    found: wanted,
  });
}
