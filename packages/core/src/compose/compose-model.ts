import type * as tfTypes from '@tensorflow/tfjs';
import { ErrorCode, inPluginStepSync, OmnifuseError } from '../errors.js';
import { tensorDTypeOf } from '../feature-arrays.js';
import type { ModelSpec } from '../model-spec.js';
import { hashSeed } from '../rng.js';
import type { EncodedOutput, EncoderV1 } from '../spec/encoder.js';
import type { FeatureSpec, Modality } from '../spec/feature.js';
import type { FusionInput, FusionV1 } from '../spec/fusion.js';
import type { TaskSpec } from '../spec/task.js';
import { applyInitialization } from './initialization.js';
import { customLayers } from './layers.js';

type Tf = typeof tfTypes;
type SymbolicTensor = tfTypes.SymbolicTensor;

/** A configured encoder and the state it was fitted to. */
export interface FittedEncoder {
  // biome-ignore lint/suspicious/noExplicitAny: encoders of any raw/state types sit side by side
  readonly encoder: EncoderV1<any, any>;
  readonly state: unknown;
}

export interface ComposeModelArgs {
  readonly tf: Tf;
  readonly spec: ModelSpec;
  /** One fitted encoder per `spec.inputs[].field`. */
  readonly encoders: Readonly<Record<string, FittedEncoder>>;
  /** Required when the spec has several inputs. */
  readonly fusion?: FusionV1;
  /** The output task; classification and multi-label tasks need `labels`. */
  readonly task: TaskSpec;
  /** Seed of every initialiser and dropout mask; defaults to `spec.training.seed`. */
  readonly seed?: number;
}

/** How one manifest field enters the model. */
export interface ComposedInput {
  readonly field: string;
  readonly modality: Modality;
  /**
   * Model-input name of the feature, `[batch, ...featureSpec.shape]`: the field name, made a valid
   * tfjs name (see {@link layerPrefixes}) where it is not one.
   */
  readonly featureInput: string;
  /** Model-input name of the presence flag, `[batch, 1]`: `${featureInput}__presence`. */
  readonly presenceInput: string;
  readonly featureSpec: FeatureSpec;
  /** Prefix of this field's layer names. */
  readonly layerPrefix: string;
}

export interface ComposedModel {
  /** Inputs in `inputNames` order; one output, the head's prediction. */
  readonly model: tfTypes.LayersModel;
  /**
   * The same layers with outputs `[prediction, fusionWeights]` (`[batch, inputs.length]`, in
   * `inputs` order), or null when the fusion method has no weights.
   */
  readonly inspect: tfTypes.LayersModel | null;
  /** Model-input names in the order `model.inputs` has them. */
  readonly inputNames: readonly string[];
  readonly inputs: readonly ComposedInput[];
  /** Units of the output layer: the label count, or 1 for regression. */
  readonly outputUnits: number;
  /** Label order of the output units (empty for regression). */
  readonly labels: readonly string[];
}

/** Suffix of the presence input of a field. */
export const PRESENCE_SUFFIX = '__presence';

/**
 * Builds the tfjs model a spec describes: per field a feature input and a presence input, each
 * encoder's layers, the fusion (or, for one input, the vector itself / a masked mean of the
 * sequence), then the head. Layer names derive from field names and initialisers from `seed`, so
 * composing the same spec twice gives the same layer names and the same initial weights.
 */
export function composeModel(args: ComposeModelArgs): ComposedModel {
  const { tf, spec, task } = args;
  const seed = args.seed ?? spec.training.seed;
  const labels = taskLabels(task);
  const prefixes = layerPrefixes(spec.inputs.map((input) => input.field));
  const { MaskedMeanPooling } = customLayers(tf);

  const composedInputs: ComposedInput[] = [];
  const fusionInputs: FusionInput[] = [];
  const modelInputs: SymbolicTensor[] = [];
  // Symbolic tensor names get a process-wide suffix (`x_9`), so keep the layer names given here.
  const inputNames: string[] = [];
  spec.inputs.forEach((input, index) => {
    const fitted = args.encoders[input.field];
    if (!fitted) {
      throw new OmnifuseError({
        code: ErrorCode.InvalidConfig,
        message: `no fitted encoder for input field "${input.field}"`,
        field: input.field,
        path: `inputs[${index}]`,
      });
    }
    const { encoder, state } = fitted;
    const where = { plugin: encoder.id, field: input.field };
    const featureSpec = inPluginStepSync({ ...where, step: 'featureSpec' }, () => encoder.featureSpec(state));
    const layerPrefix = prefixes[index]!;
    const featureInput = tf.input({
      shape: [...featureSpec.shape],
      dtype: tensorDTypeOf(featureSpec.dtype),
      name: layerPrefix,
    });
    const presenceName = `${layerPrefix}${PRESENCE_SUFFIX}`;
    const presence = tf.input({ shape: [1], dtype: 'float32', name: presenceName });
    modelInputs.push(featureInput, presence);
    inputNames.push(layerPrefix, presenceName);
    const encoded = inPluginStepSync({ ...where, step: 'build' }, () =>
      encoder.build({
        tf,
        input: featureInput,
        state,
        name: layerPrefix,
        seed: hashSeed(`${seed}:encoder:${input.field}`),
      }),
    );
    checkEncoded(encoded, encoder.id, input.field);
    composedInputs.push({
      field: input.field,
      modality: encoder.modality,
      featureInput: layerPrefix,
      presenceInput: presenceName,
      featureSpec: { dtype: featureSpec.dtype, shape: [...featureSpec.shape] },
      layerPrefix,
    });
    fusionInputs.push({ name: input.field, modality: encoder.modality, encoded, presence });
  });
  assertUniqueInputNames(inputNames);

  let fused: SymbolicTensor;
  let fusionWeights: SymbolicTensor | undefined;
  if (args.fusion) {
    const fusion = args.fusion;
    const result = inPluginStepSync({ plugin: fusion.id, step: 'build' }, () =>
      fusion.build({ tf, inputs: fusionInputs, name: 'fusion', seed: hashSeed(`${seed}:fusion`) }),
    );
    checkFused(result.output, result.dim, fusion.id);
    fused = result.output;
    if (result.weights) {
      const shape = result.weights.shape;
      if (shape.length !== 2 || shape[1] !== fusionInputs.length) {
        throw new OmnifuseError({
          code: ErrorCode.PluginFailed,
          message: 'fusion weights must be [batch, inputs.length]',
          plugin: fusion.id,
          step: 'build',
          expected: [null, fusionInputs.length],
          found: shape,
        });
      }
      fusionWeights = result.weights;
    }
  } else if (fusionInputs.length === 1) {
    const only = fusionInputs[0]!;
    const prefix = prefixes[0]!;
    const vector =
      only.encoded.kind === 'vector'
        ? only.encoded.output
        : (new MaskedMeanPooling({ name: `${prefix}/pool` }).apply(
            only.encoded.mask ? [only.encoded.output, only.encoded.mask] : only.encoded.output,
          ) as SymbolicTensor);
    // A missing optional value contributes zeros, as it would through a fusion method.
    fused = tf.layers
      .multiply({ name: `${prefix}/presence_gate` })
      .apply([vector, only.presence]) as SymbolicTensor;
  } else {
    throw new OmnifuseError({
      code: ErrorCode.InvalidConfig,
      message: 'several inputs need a fusion method',
      path: 'fusion',
    });
  }

  const prediction = buildHead(tf, spec, task, labels.length, fused, seed);
  const model = tf.model({ inputs: modelInputs, outputs: prediction, name: 'omnifuse' });
  applyInitialization(tf, model, spec.training.initialization ?? 'plugin', seed);
  const inspect = fusionWeights
    ? tf.model({ inputs: modelInputs, outputs: [prediction, fusionWeights], name: 'omnifuse_inspect' })
    : null;
  return {
    model,
    inspect,
    inputNames,
    inputs: composedInputs,
    outputUnits: task.type === 'regression' ? 1 : labels.length,
    labels,
  };
}

function buildHead(
  tf: Tf,
  spec: ModelSpec,
  task: TaskSpec,
  labelCount: number,
  fused: SymbolicTensor,
  seed: number,
): SymbolicTensor {
  const { SeededDropout } = customLayers(tf);
  const { hidden, dropout, activation } = spec.output.head;
  let x = fused;
  hidden.forEach((units, i) => {
    const name = `head/dense_${i}`;
    x = tf.layers
      .dense({
        units,
        activation,
        name,
        kernelInitializer: tf.initializers.glorotUniform({ seed: hashSeed(`${seed}:${name}`) }),
        biasInitializer: 'zeros',
      })
      .apply(x) as SymbolicTensor;
    if (dropout > 0) {
      x = new SeededDropout({
        rate: dropout,
        seed: hashSeed(`${seed}:head/dropout_${i}`),
        name: `head/dropout_${i}`,
      }).apply(x) as SymbolicTensor;
    }
  });
  const units = task.type === 'regression' ? 1 : labelCount;
  const outputActivation =
    task.type === 'classification' ? 'softmax' : task.type === 'multi-label' ? 'sigmoid' : 'linear';
  return tf.layers
    .dense({
      units,
      activation: outputActivation,
      name: 'head/output',
      kernelInitializer: tf.initializers.glorotUniform({ seed: hashSeed(`${seed}:head/output`) }),
      biasInitializer: 'zeros',
    })
    .apply(x) as SymbolicTensor;
}

function taskLabels(task: TaskSpec): string[] {
  if (task.type === 'regression') return [];
  const labels = task.labels ?? [];
  if (labels.length < 2 && task.type === 'classification') {
    throw new OmnifuseError({
      code: ErrorCode.InvalidConfig,
      message: 'a classification task needs at least two labels (fit them on the training split first)',
      field: task.field,
      path: 'output.labels',
      found: labels,
    });
  }
  if (labels.length < 1) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidConfig,
      message: 'a multi-label task needs at least one label',
      field: task.field,
      path: 'output.labels',
    });
  }
  if (new Set(labels).size !== labels.length) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidConfig,
      message: 'labels must be distinct',
      field: task.field,
      path: 'output.labels',
      found: labels,
    });
  }
  return [...labels];
}

/**
 * Layer-name prefixes from field names: tfjs weight names allow `[A-Za-z0-9._-]` (after a leading
 * letter or digit), so other characters become `_`; collisions get a numeric suffix.
 */
export function layerPrefixes(fields: readonly string[]): string[] {
  const used = new Set<string>(['head', 'fusion']);
  return fields.map((field) => {
    let base = field.replace(/[^A-Za-z0-9._-]/g, '_');
    if (!/^[A-Za-z0-9]/.test(base)) base = `f${base}`;
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base}_${n}`;
    used.add(name);
    return name;
  });
}

function assertUniqueInputNames(names: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) {
      throw new OmnifuseError({
        code: ErrorCode.InvalidConfig,
        message: `model input name "${name}" is used twice (a field may not end in "${PRESENCE_SUFFIX}")`,
        field: name,
      });
    }
    seen.add(name);
  }
}

function checkEncoded(encoded: EncodedOutput, plugin: string, field: string): void {
  const shape = encoded?.output?.shape;
  const fail = (expected: unknown): never => {
    throw new OmnifuseError({
      code: ErrorCode.PluginFailed,
      message: 'encoder build returned an output whose shape does not match what it declared',
      plugin,
      step: 'build',
      field,
      expected,
      found: shape,
    });
  };
  if (!shape) fail('a symbolic tensor');
  if (encoded.kind === 'vector') {
    if (shape.length !== 2 || shape[1] !== encoded.dim) fail([null, encoded.dim]);
  } else if (encoded.kind === 'sequence') {
    if (shape.length !== 3 || shape[2] !== encoded.dim) fail([null, encoded.length, encoded.dim]);
  } else {
    fail('kind "vector" or "sequence"');
  }
}

function checkFused(output: SymbolicTensor, dim: number, plugin: string): void {
  const shape = output?.shape;
  if (shape?.length !== 2 || shape[1] !== dim) {
    throw new OmnifuseError({
      code: ErrorCode.PluginFailed,
      message: 'fusion output must be [batch, dim]',
      plugin,
      step: 'build',
      expected: [null, dim],
      found: shape,
    });
  }
}
