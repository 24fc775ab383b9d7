import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ErrorCode } from '@omnifuse/core';
import { describeEncoderConformance } from '@omnifuse/core/testing';
import { buildOnnxModel } from '@omnifuse/onnx/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { loadHfTokenizer } from '../hf-tokenizer/index.js';
import { BERT_VOCAB, bertTokenizerJson } from '../hf-tokenizer/test-tokenizers.js';
import { createTextOnnxEncoder, textOnnxEncoderPlugin } from './onnx.js';

const VOCAB = BERT_VOCAB.length;
const LENGTH = 8;
const DIM = 4;
const floats = (n: number, seed: number) =>
  Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.3 + seed) / 2);
const WORDS = floats(VOCAB * DIM, 1);
const POSITIONS = floats(LENGTH * DIM, 2);
const TYPES = floats(2 * DIM, 3);
const MIX = floats(DIM * DIM, 4);

/**
 * A BERT-shaped stand-in: word + position + token-type embeddings, zeroed where attention_mask is 0,
 * one attention-free mixing MatMul and tanh → last_hidden_state [batch, L, d].
 */
function tinyBert(extraInput = false, length: number | string = LENGTH): Uint8Array {
  const tokens = (name: string) => ({ name, shape: ['batch', length], dtype: 'int64' as const });
  return buildOnnxModel({
    inputs: [
      tokens('input_ids'),
      tokens('attention_mask'),
      tokens('token_type_ids'),
      ...(extraInput ? [{ name: 'pixel_values', shape: ['batch', 3] }] : []),
    ],
    outputs: [{ name: 'last_hidden_state', shape: ['batch', length, DIM] }],
    initializers: [
      { name: 'word_embeddings', dims: [VOCAB, DIM], data: WORDS },
      { name: 'position_embeddings', dims: [LENGTH, DIM], data: POSITIONS },
      { name: 'type_embeddings', dims: [2, DIM], data: TYPES },
      { name: 'mix', dims: [DIM, DIM], data: MIX },
      { name: 'last_axis', dims: [1], data: BigInt64Array.of(2n) },
    ],
    nodes: [
      { op: 'Gather', inputs: ['word_embeddings', 'input_ids'], outputs: ['words'] },
      { op: 'Gather', inputs: ['type_embeddings', 'token_type_ids'], outputs: ['types'] },
      { op: 'Add', inputs: ['words', 'position_embeddings'], outputs: ['placed'] },
      { op: 'Add', inputs: ['placed', 'types'], outputs: ['embedded'] },
      { op: 'Cast', inputs: ['attention_mask'], outputs: ['mask_float'], attributes: { to: 1 } },
      { op: 'Unsqueeze', inputs: ['mask_float', 'last_axis'], outputs: ['mask'] },
      { op: 'Mul', inputs: ['embedded', 'mask'], outputs: ['masked'] },
      { op: 'MatMul', inputs: ['masked', 'mix'], outputs: ['mixed'] },
      { op: 'Tanh', inputs: ['mixed'], outputs: ['last_hidden_state'] },
    ],
  });
}

/** The same network in plain JS, on the tokenizer's own encoding. */
function reference(text: string): { hidden: number[][]; mask: number[] } {
  const encoding = loadHfTokenizer(bertTokenizerJson()).encode(text, {
    maxLength: LENGTH,
    padding: 'max_length',
  });
  const hidden = Array.from({ length: LENGTH }, (_, t) => {
    const m = encoding.attentionMask[t]!;
    const e = Array.from(
      { length: DIM },
      (_, d) =>
        (WORDS[encoding.ids[t]! * DIM + d]! +
          POSITIONS[t * DIM + d]! +
          TYPES[encoding.typeIds[t]! * DIM + d]!) *
        m,
    );
    return Array.from({ length: DIM }, (_, j) =>
      Math.tanh(e.reduce((s, v, d) => s + v * MIX[d * DIM + j]!, 0)),
    );
  });
  return { hidden, mask: Array.from(encoding.attentionMask) };
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-text-onnx-'));
const write = (name: string, content: Uint8Array | string) => {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
};
const MODEL = write('tiny-bert.onnx', tinyBert());
const TOKENIZER = write('tokenizer.json', JSON.stringify(bertTokenizerJson()));
const OPTIONS = { model: MODEL, tokenizer: TOKENIZER, maxLength: LENGTH };
const SAMPLES = ['The quick brown fox jumped over the lazy dog!', 'hello world', '中文很好', 'Café naïve'];
const context = { record: 'r1', field: 'text', readMedia: async () => new Uint8Array() };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeEncoderConformance('text:onnx (mean pooling)', {
  plugin: textOnnxEncoderPlugin,
  options: OPTIONS,
  samples: SAMPLES,
  badInputs: [
    { value: 42, reason: 'a number' },
    { value: null, reason: 'null' },
  ],
  invalidOptions: [
    {},
    { ...OPTIONS, model: path.join(dir, 'missing.onnx') },
    { ...OPTIONS, tokenizer: path.join(dir, 'missing.json') },
    { ...OPTIONS, tokenizer: dir },
    { ...OPTIONS, maxLength: 1 },
    { ...OPTIONS, pooling: 'max' },
    { ...OPTIONS, projection: { units: 0 } },
    { ...OPTIONS, unknown: true },
  ],
});
describeEncoderConformance('text:onnx (sequence + projection)', {
  plugin: textOnnxEncoderPlugin,
  options: { ...OPTIONS, pooling: 'sequence', projection: { units: 3, activation: 'tanh', dropout: 0.1 } },
  samples: SAMPLES,
  skip: { 'bad-inputs': 'same preprocessing as the suite above', 'invalid-options': 'same schema' },
});
describeEncoderConformance('text:onnx (cls, projection)', {
  plugin: textOnnxEncoderPlugin,
  options: { ...OPTIONS, pooling: 'cls', projection: { units: 5 } },
  samples: SAMPLES.slice(0, 2),
  skip: { 'bad-inputs': 'same preprocessing as above', 'invalid-options': 'same schema' },
});

describe('text:onnx features', () => {
  it('mean-pools the real tokens like a JS reference, and pins both files', async () => {
    const encoder = createTextOnnxEncoder(OPTIONS);
    const state = await encoder.fit([], context);
    expect(state).toMatchObject({
      inputs: { inputIds: 'input_ids', attentionMask: 'attention_mask', tokenTypeIds: 'token_type_ids' },
      inputDType: 'int64',
      output: 'last_hidden_state',
      outputDim: DIM,
    });
    expect(state.tokenizer.sha256).toMatch(/^[0-9a-f]{64}$/);
    for (const text of SAMPLES) {
      const feature = await encoder.preprocess(text, state, context);
      const { hidden, mask } = reference(text);
      const real = mask.reduce((a, b) => a + b, 0);
      const expected = Array.from(
        { length: DIM },
        (_, d) => hidden.reduce((s, row, t) => s + row[d]! * mask[t]!, 0) / real,
      );
      expect(feature.shape).toEqual([DIM]);
      Array.from(feature.data).forEach((v, d) => {
        expect(v).toBeCloseTo(expected[d]!, 5);
      });
    }
  });

  it('gives the [CLS] state, or the sequence with padding zeroed and the mask as last channel', async () => {
    const text = 'hello world';
    const { hidden, mask } = reference(text);
    const cls = createTextOnnxEncoder({ ...OPTIONS, pooling: 'cls' });
    const clsFeature = await cls.preprocess(text, await cls.fit([], context), context);
    Array.from(clsFeature.data).forEach((v, d) => {
      expect(v).toBeCloseTo(hidden[0]![d]!, 5);
    });

    const sequence = createTextOnnxEncoder({ ...OPTIONS, pooling: 'sequence' });
    const state = await sequence.fit([], context);
    expect(sequence.featureSpec(state)).toEqual({ dtype: 'float32', shape: [LENGTH, DIM + 1] });
    const feature = await sequence.preprocess(text, state, context);
    // [CLS] hello world [SEP] then four pads.
    expect(mask).toEqual([1, 1, 1, 1, 0, 0, 0, 0]);
    for (let t = 0; t < LENGTH; t++) {
      const row = Array.from(feature.data.slice(t * (DIM + 1), (t + 1) * (DIM + 1)));
      expect(row[DIM]).toBe(mask[t]);
      row.slice(0, DIM).forEach((v, d) => {
        expect(v).toBeCloseTo(mask[t] ? hidden[t]![d]! : 0, 5);
      });
    }
  });

  it('truncates long texts, or refuses them with truncation: false', async () => {
    const long = SAMPLES[0]!;
    const cut = createTextOnnxEncoder(OPTIONS);
    const feature = await cut.preprocess(long, await cut.fit([], context), context);
    expect(feature.shape).toEqual([DIM]);
    const strict = createTextOnnxEncoder({ ...OPTIONS, truncation: false });
    const state = await strict.fit([], context);
    await expect(strict.preprocess(long, state, context)).rejects.toMatchObject({
      code: ErrorCode.InvalidInput,
      plugin: 'text:onnx',
      step: 'preprocess',
      record: 'r1',
      field: 'text',
    });
  });
});

describe('text:onnx errors', () => {
  it('names the option when a file is missing', () => {
    expect(() => createTextOnnxEncoder({ ...OPTIONS, tokenizer: path.join(dir, 'nope.json') })).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidOptions, plugin: 'text:onnx', path: 'tokenizer' }),
    );
    expect(() => createTextOnnxEncoder({ ...OPTIONS, model: path.join(dir, 'nope.onnx') })).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidOptions, plugin: 'text:onnx', path: 'model' }),
    );
  });

  it('rejects at fit a model whose inputs do not match', async () => {
    const extra = createTextOnnxEncoder({ ...OPTIONS, model: write('extra.onnx', tinyBert(true)) });
    await expect(extra.fit([], context)).rejects.toMatchObject({
      code: ErrorCode.InvalidOptions,
      plugin: 'text:onnx',
      step: 'fit',
      field: 'text',
      path: 'inputNames',
    });
    const renamed = createTextOnnxEncoder({ ...OPTIONS, inputNames: { inputIds: 'ids' } });
    await expect(renamed.fit([], context)).rejects.toMatchObject({
      code: ErrorCode.InvalidOptions,
      path: 'inputNames',
    });
    const short = createTextOnnxEncoder({ ...OPTIONS, maxLength: 6 });
    await expect(short.fit([], context)).rejects.toMatchObject({
      code: ErrorCode.InvalidOptions,
      path: 'inputNames',
    });
    const output = createTextOnnxEncoder({ ...OPTIONS, output: 'pooler_output' });
    await expect(output.fit([], context)).rejects.toMatchObject({
      code: ErrorCode.InvalidOptions,
      path: 'output',
    });
  });

  it('rejects an unsupported tokenizer at fit, naming the tokenizer file', async () => {
    const file = write(
      'unigram.json',
      JSON.stringify(bertTokenizerJson({ model: { type: 'Unigram', vocab: [] } })),
    );
    const encoder = createTextOnnxEncoder({ ...OPTIONS, tokenizer: file });
    await expect(encoder.fit([], context)).rejects.toMatchObject({
      code: ErrorCode.InvalidOptions,
      plugin: 'text:onnx',
      file,
      path: 'model.type',
    });
  });

  it('changes the state when the tokenizer file changes, and refuses the stale state', async () => {
    const file = write('changing.json', JSON.stringify(bertTokenizerJson()));
    const before = await createTextOnnxEncoder({ ...OPTIONS, tokenizer: file }).fit([], context);
    writeFileSync(
      file,
      JSON.stringify(bertTokenizerJson({ truncation: null, padding: null, version: '1.1' })),
    );
    const fresh = createTextOnnxEncoder({ ...OPTIONS, tokenizer: file });
    const after = await fresh.fit([], context);
    expect(after.tokenizer.sha256).not.toBe(before.tokenizer.sha256);
    expect(after.model).toEqual(before.model);
    const later = createTextOnnxEncoder({ ...OPTIONS, tokenizer: file });
    await expect(later.preprocess('hello', before, context)).rejects.toMatchObject({
      code: ErrorCode.InvalidInput,
      plugin: 'text:onnx',
      record: 'r1',
    });
  });
});
