import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  applyProjection,
  asPluginError,
  type EncoderPluginV1,
  ErrorCode,
  OmnifuseError,
  projectionOptionsSchema,
  sha256,
} from '@omnifuse/core';
import {
  checkModelFile,
  defineOnnxEncoder,
  modelValueName,
  type OnnxEncoderStateBase,
  type OnnxModel,
} from '@omnifuse/onnx';
import type { SymbolicTensor } from '@tensorflow/tfjs';
import { z } from 'zod';
import { type HfTokenizer, loadHfTokenizer } from '../hf-tokenizer/index.js';

const ID = 'text:onnx';
const PACKAGE_NAME = '@omnifuse/modality-text';

export const textOnnxEncoderOptionsSchema = z
  .object({
    /** Path of the `.onnx` file (a BERT-family encoder); relative paths resolve against the cwd. */
    model: z.string().min(1),
    /** Path of the model's Hugging Face `tokenizer.json`. */
    tokenizer: z.string().min(1),
    /** Tokens per text, special tokens included; every text is padded to it. */
    maxLength: z.number().int().min(2).max(8192).default(128),
    /** Cut longer texts (the tokenizer's direction, else from the right); false makes them an E_INPUT error. */
    truncation: z.boolean().default(true),
    /** Model input names; default: detected by the usual names (input_ids, attention_mask, token_type_ids). */
    inputNames: z
      .object({
        inputIds: z.string().min(1).optional(),
        attentionMask: z.string().min(1).optional(),
        tokenTypeIds: z.string().min(1).optional(),
      })
      .strict()
      .prefault({}),
    /** A `[batch, length, dim]` output (e.g. last_hidden_state); default the model's first output. */
    output: z.string().min(1).optional(),
    /**
     * `cls`: the first position; `mean`: the mean over real tokens (attention mask 1); `sequence`:
     * every position, for a fusion that attends over tokens.
     */
    pooling: z.enum(['cls', 'mean', 'sequence']).default('mean'),
    /** A trainable dense layer on the frozen features (per position for `sequence`); null: none. */
    projection: projectionOptionsSchema().nullable().default(null),
  })
  .strict();

export type TextOnnxEncoderOptions = z.output<typeof textOnnxEncoderOptionsSchema>;
export type TextOnnxEncoderOptionsInput = z.input<typeof textOnnxEncoderOptionsSchema>;

interface FileIdentity {
  readonly sha256: string;
  readonly byteLength: number;
}

/** What `fit` pins (plain JSON, hashed into the feature-cache key and stored in bundles). */
export interface TextOnnxEncoderState extends OnnxEncoderStateBase {
  /** The exact tokenizer, like `model` the exact weights: changing either file changes every cache key. */
  readonly tokenizer: FileIdentity;
  readonly inputs: {
    readonly inputIds: string;
    readonly attentionMask: string | null;
    readonly tokenTypeIds: string | null;
  };
  /** Element type of the token inputs. */
  readonly inputDType: 'int64' | 'int32';
  readonly output: string;
  /** Hidden size of the output. */
  readonly outputDim: number;
}

type InputRole = keyof TextOnnxEncoderState['inputs'];
const DEFAULT_INPUT_NAMES: Readonly<Record<InputRole, string>> = {
  inputIds: 'input_ids',
  attentionMask: 'attention_mask',
  tokenTypeIds: 'token_type_ids',
};

/**
 * A pretrained transformer text encoder (BERT family) exported to ONNX with its `tokenizer.json`,
 * run frozen with onnxruntime-node while preprocessing, so its features land in the feature cache
 * and training only fits the layers on top. Each text is tokenized to exactly `maxLength` tokens
 * (truncated per `truncation`, padded with attention mask 0) and run on its own, so a feature never
 * depends on which records share a batch; one session serves every record.
 *
 * Features: `cls` and `mean` pool to `[dim]`. `sequence` gives `[maxLength, dim + 1]`: the hidden
 * states with padded positions zeroed, plus the attention mask as the last channel, which `build`
 * slices off into the sequence mask. The mask travels inside the feature because a feature is one
 * tensor; deriving it from all-zero rows instead would misread a real token whose state is zero.
 */
const textOnnxEncoder = defineOnnxEncoder<string, TextOnnxEncoderOptions, TextOnnxEncoderState, unknown>({
  id: ID,
  modality: 'text',
  packageName: PACKAGE_NAME,
  description:
    'Text → Hugging Face tokenizer.json → a frozen pretrained ONNX transformer (onnxruntime-node, features cached) → CLS/mean pooling or the token sequence → optional dense projection',
  version: '1.0.0',
  schema: textOnnxEncoderOptionsSchema,

  instance(parsed) {
    const tokenizerFile = path.resolve(parsed.tokenizer);
    checkModelFile(tokenizerFile, {
      plugin: ID,
      option: 'tokenizer',
      label: 'tokenizer',
      expected: 'an existing tokenizer.json',
    });
    const { maxLength, pooling } = parsed;

    const tokenizers = new Map<string, HfTokenizer>();
    /** The tokenizer file as it is now, loaded once per content hash. */
    const readTokenizer = (step: string): { tokenizer: HfTokenizer; identity: FileIdentity } => {
      try {
        const bytes = readFileSync(tokenizerFile);
        const identity = { sha256: sha256(bytes), byteLength: bytes.length };
        let tokenizer = tokenizers.get(identity.sha256);
        if (!tokenizer) {
          tokenizer = loadHfTokenizer(bytes.toString('utf8'), tokenizerFile);
          tokenizers.set(identity.sha256, tokenizer);
        }
        return { tokenizer, identity };
      } catch (error) {
        // A tokenizer.json problem keeps its path inside the file; an unreadable file names the option.
        const inner = OmnifuseError.isInstance(error) && error.path !== undefined;
        throw asPluginError(error, {
          plugin: ID,
          code: ErrorCode.InvalidOptions,
          step,
          file: tokenizerFile,
          ...(inner ? {} : { path: 'tokenizer' }),
        });
      }
    };
    const tokenizerFor = (state: TextOnnxEncoderState): HfTokenizer => {
      const known = tokenizers.get(state.tokenizer.sha256);
      if (known) return known;
      const { tokenizer, identity } = readTokenizer('preprocess');
      if (identity.sha256 !== state.tokenizer.sha256) {
        throw new OmnifuseError({
          code: ErrorCode.InvalidInput,
          message: 'the tokenizer file is not the one the encoder was fitted with; fit again',
          plugin: ID,
          step: 'preprocess',
          file: tokenizerFile,
          expected: `sha256 ${state.tokenizer.sha256}`,
          found: `sha256 ${identity.sha256}`,
        });
      }
      return tokenizer;
    };

    const tokenize = (tokenizer: HfTokenizer, text: string) => {
      const encoding = tokenizer.encode(text, {
        maxLength,
        truncation: parsed.truncation,
        padding: 'max_length',
      });
      if (encoding.ids.length > maxLength) {
        throw new OmnifuseError({
          code: ErrorCode.InvalidInput,
          message: `the text has ${encoding.ids.length} tokens, more than maxLength; raise maxLength or set truncation: true`,
          expected: `≤ ${maxLength} tokens`,
          found: encoding.ids.length,
        });
      }
      return encoding;
    };

    /** The output `[maxLength, dim]` and the attention mask for one text. */
    const run = async (
      model: OnnxModel,
      state: Pick<TextOnnxEncoderState, 'inputs' | 'inputDType' | 'output'>,
      tokenizer: HfTokenizer,
      text: string,
    ): Promise<{ hidden: Float32Array; mask: Int32Array; dim: number }> => {
      const encoding = tokenize(tokenizer, text);
      const asInput = (values: Int32Array) => ({
        data:
          state.inputDType === 'int64'
            ? BigInt64Array.from(values, (v) => BigInt(v))
            : Int32Array.from(values),
        dims: [1, maxLength],
      });
      const feeds: Record<string, ReturnType<typeof asInput>> = {
        [state.inputs.inputIds]: asInput(encoding.ids),
      };
      if (state.inputs.attentionMask) feeds[state.inputs.attentionMask] = asInput(encoding.attentionMask);
      if (state.inputs.tokenTypeIds) feeds[state.inputs.tokenTypeIds] = asInput(encoding.typeIds);
      const out = (await model.run(feeds, { outputs: [state.output] }))[state.output]!;
      const dims = out.dims;
      if (
        !(out.data instanceof Float32Array) ||
        dims.length !== 3 ||
        dims[0] !== 1 ||
        dims[1] !== maxLength
      ) {
        throw new OmnifuseError({
          code: ErrorCode.InvalidOptions,
          message: `the model's output "${state.output}" is not float32 [batch, length, dim] (pick last_hidden_state)`,
          path: 'output',
          expected: `float32 [1, ${maxLength}, dim]`,
          found: `${out.dtype} [${dims.join(', ')}]`,
        });
      }
      return { hidden: out.data, mask: encoding.attentionMask, dim: dims[2]! };
    };

    const featureShape = (state: TextOnnxEncoderState): number[] =>
      pooling === 'sequence' ? [maxLength, state.outputDim + 1] : [state.outputDim];

    return {
      // Nothing is learned from the data: fit pins the tokenizer file (sha256) next to the model's,
      // matches the model's inputs and measures the hidden size on an empty text. A tokenizer that
      // does not fit is a wrong option too.
      async fit(model) {
        const { tokenizer, identity } = readTokenizer('fit');
        const { inputs, inputDType } = matchInputs(model, parsed.inputNames, maxLength);
        const output = modelValueName(model, 'output', parsed.output);
        const probe = await run(model, { inputs, inputDType, output }, tokenizer, '');
        return { tokenizer: identity, inputs, inputDType, output, outputDim: probe.dim };
      },

      async run(model, raw, state) {
        if (typeof raw !== 'string') {
          throw new OmnifuseError({
            code: ErrorCode.InvalidInput,
            message: 'a text field value must be a string',
            expected: 'a string',
            found: raw === null ? 'null' : typeof raw,
          });
        }
        const { hidden, mask, dim } = await run(model, state, tokenizerFor(state), raw);
        return poolFeature(hidden, mask, dim, pooling);
      },

      featureShape,

      head({ tf, input, state, name, seed }) {
        const dim = state.outputDim;
        let x = input;
        let mask: SymbolicTensor | null = null;
        if (pooling === 'sequence') {
          // [b, L, d + 1] as a one-channel image [b, L, d + 1, 1]: crop the width to the hidden states
          // and to the mask channel (built-in layers, so the topology reloads without custom classes).
          const image = tf.layers
            .reshape({ targetShape: [maxLength, dim + 1, 1], name: `${name}/as_image` })
            .apply(input) as SymbolicTensor;
          const states = tf.layers
            .cropping2D({
              cropping: [
                [0, 0],
                [0, 1],
              ],
              name: `${name}/crop_states`,
            })
            .apply(image) as SymbolicTensor;
          x = tf.layers
            .reshape({ targetShape: [maxLength, dim], name: `${name}/states` })
            .apply(states) as SymbolicTensor;
          const maskChannel = tf.layers
            .cropping2D({
              cropping: [
                [0, 0],
                [dim, 0],
              ],
              name: `${name}/crop_mask`,
            })
            .apply(image) as SymbolicTensor;
          mask = tf.layers
            .reshape({ targetShape: [maxLength], name: `${name}/mask` })
            .apply(maskChannel) as SymbolicTensor;
        }
        const projection = parsed.projection;
        // Dropout on the frozen features, before the projection; a sequence needs no identity layer.
        x = applyProjection(tf, x, projection, { name, seed, identity: pooling !== 'sequence' });
        const outDim = projection?.units ?? dim;
        return pooling === 'sequence'
          ? { kind: 'sequence', output: x, mask, length: maxLength, dim: outDim }
          : { kind: 'vector', output: x, dim: outDim };
      },
    };
  },
});

export const createTextOnnxEncoder = textOnnxEncoder.create;
export const textOnnxEncoderPlugin: EncoderPluginV1<string, TextOnnxEncoderState> = textOnnxEncoder.plugin;

/** `[L, d]` hidden states → the pooled vector, or `[L, d + 1]` with padding zeroed and the mask last. */
export function poolFeature(
  hidden: Float32Array,
  mask: Int32Array,
  dim: number,
  pooling: 'cls' | 'mean' | 'sequence',
): Float32Array {
  const length = mask.length;
  if (pooling === 'cls') return hidden.slice(0, dim);
  if (pooling === 'mean') {
    const out = new Float32Array(dim);
    let count = 0;
    for (let t = 0; t < length; t++) {
      if (mask[t] === 0) continue;
      count++;
      for (let d = 0; d < dim; d++) out[d]! += hidden[t * dim + d]!;
    }
    for (let d = 0; d < dim; d++) out[d]! /= Math.max(count, 1);
    return out;
  }
  const out = new Float32Array(length * (dim + 1));
  for (let t = 0; t < length; t++) {
    if (mask[t] === 0) continue;
    out.set(hidden.subarray(t * dim, (t + 1) * dim), t * (dim + 1));
    out[t * (dim + 1) + dim] = 1;
  }
  return out;
}

/** Assigns every model input a role; an input it cannot feed, or a missing input_ids, is E_OPTIONS. */
function matchInputs(
  model: OnnxModel,
  names: TextOnnxEncoderOptions['inputNames'],
  maxLength: number,
): Pick<TextOnnxEncoderState, 'inputs' | 'inputDType'> {
  const wanted = { ...DEFAULT_INPUT_NAMES, ...names };
  const roles = Object.keys(wanted) as InputRole[];
  const inputs: Record<InputRole, string | null> = {
    inputIds: null,
    attentionMask: null,
    tokenTypeIds: null,
  };
  let inputDType: 'int64' | 'int32' | undefined;
  for (const input of model.inputs) {
    const role = roles.find((r) => wanted[r] === input.name);
    const mismatch = (message: string, expected: unknown, found: unknown) =>
      new OmnifuseError({ code: ErrorCode.InvalidOptions, message, path: 'inputNames', expected, found });
    if (!role)
      throw mismatch(
        `the model input "${input.name}" is not one a text encoder feeds`,
        Object.values(wanted),
        input.name,
      );
    if (input.dtype !== 'int64' && input.dtype !== 'int32')
      throw mismatch(
        `the model input "${input.name}" is not integer token ids`,
        'int64 or int32',
        input.dtype,
      );
    const shape = input.shape;
    if (shape && (shape.length !== 2 || (typeof shape[1] === 'number' && shape[1] !== maxLength)))
      throw mismatch(
        `the model input "${input.name}" does not take [batch, ${maxLength}] (maxLength)`,
        `[batch, ${maxLength}]`,
        shape,
      );
    inputs[role] = input.name;
    inputDType = input.dtype;
  }
  if (!inputs.inputIds) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: `the model has no input "${wanted.inputIds}" for the token ids`,
      path: 'inputNames.inputIds',
      expected: wanted.inputIds,
      found: model.inputNames,
    });
  }
  return {
    inputs: {
      inputIds: inputs.inputIds,
      attentionMask: inputs.attentionMask,
      tokenTypeIds: inputs.tokenTypeIds,
    },
    inputDType: inputDType!,
  };
}
