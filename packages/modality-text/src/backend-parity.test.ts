import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildOnnxModel } from '@omnifuse/onnx/testing';
import { describeEncoderParity } from '@omnifuse/runtime/testing';
import { afterAll } from 'vitest';
import { textCnnEncoderPlugin } from './encoders/cnn.js';
import { textEmbeddingEncoderPlugin } from './encoders/embedding.js';
import { textOnnxEncoderPlugin } from './encoders/onnx.js';
import { textRnnEncoderPlugin } from './encoders/rnn.js';
import { tfidfEncoderPlugin } from './encoders/tfidf.js';
import { textTransformerEncoderPlugin } from './encoders/transformer.js';
import { BERT_VOCAB, bertTokenizerJson } from './hf-tokenizer/test-tokenizers.js';

// One training step per encoder on webgpu and on cpu, from the same weights; dropout stays off.

const SENTENCES = [
  'Wow... Loved this place.',
  'Crust is not good.',
  'The selection on the menu was great and so were the prices.',
  'Not tasty and the texture was just nasty.',
];

describeEncoderParity('text:tfidf (projection)', {
  plugin: tfidfEncoderPlugin,
  options: { tfidf: { maxFeatures: 50 }, projection: { units: 8, dropout: 0 } },
  samples: SENTENCES,
});

describeEncoderParity('text:embedding (mean pooling)', {
  plugin: textEmbeddingEncoderPlugin,
  options: { maxLength: 8, dim: 8 },
  samples: SENTENCES,
});

describeEncoderParity('text:embedding (max pooling)', {
  plugin: textEmbeddingEncoderPlugin,
  options: { maxLength: 8, dim: 8, pooling: 'max' },
  samples: SENTENCES,
});

describeEncoderParity('text:cnn (kernels 3, 4, 5)', {
  plugin: textCnnEncoderPlugin,
  options: { maxLength: 8, dim: 8, filters: 4 },
  samples: SENTENCES,
});

describeEncoderParity('text:rnn (bidirectional GRU, last state)', {
  plugin: textRnnEncoderPlugin,
  options: { maxLength: 8, dim: 8, units: 6 },
  // The masked path transposes a mask whose data is i32 on the GPU: core's webgpu Transpose fix.
  samples: SENTENCES,
});

describeEncoderParity('text:rnn (LSTM, masked mean)', {
  plugin: textRnnEncoderPlugin,
  options: { maxLength: 8, dim: 8, units: 4, cell: 'lstm', bidirectional: false, output: 'mean' },
  // The masked path transposes a mask whose data is i32 on the GPU: core's webgpu Transpose fix.
  samples: SENTENCES,
});

describeEncoderParity('text:transformer (one block, two heads)', {
  plugin: textTransformerEncoderPlugin,
  options: { maxLength: 8, dim: 8, heads: 2, ffDim: 16, blocks: 1, dropout: 0 },
  samples: SENTENCES,
});

// The frozen ONNX model runs in preprocess (onnxruntime, on the CPU), once for both backends; what
// is compared is the trainable projection and head on its (sequence) features.
const LENGTH = 8;
const DIM = 4;
const floats = (n: number, seed: number) =>
  Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.3 + seed) / 2);
const dir = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-text-parity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, content: Uint8Array | string) => {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
};
const tokens = (name: string) => ({ name, shape: ['batch', LENGTH], dtype: 'int64' as const });
/** Word embeddings, zeroed where attention_mask is 0, then tanh: a BERT-shaped stand-in. */
const model = write(
  'tiny-bert.onnx',
  buildOnnxModel({
    inputs: [tokens('input_ids'), tokens('attention_mask'), tokens('token_type_ids')],
    outputs: [{ name: 'last_hidden_state', shape: ['batch', LENGTH, DIM] }],
    initializers: [
      { name: 'word_embeddings', dims: [BERT_VOCAB.length, DIM], data: floats(BERT_VOCAB.length * DIM, 1) },
      { name: 'last_axis', dims: [1], data: BigInt64Array.of(2n) },
    ],
    nodes: [
      { op: 'Gather', inputs: ['word_embeddings', 'input_ids'], outputs: ['words'] },
      { op: 'Cast', inputs: ['attention_mask'], outputs: ['mask_float'], attributes: { to: 1 } },
      { op: 'Unsqueeze', inputs: ['mask_float', 'last_axis'], outputs: ['mask'] },
      { op: 'Mul', inputs: ['words', 'mask'], outputs: ['masked'] },
      { op: 'Tanh', inputs: ['masked'], outputs: ['last_hidden_state'] },
    ],
  }),
);
const tokenizer = write('tokenizer.json', JSON.stringify(bertTokenizerJson()));

describeEncoderParity('text:onnx (sequence, trainable projection)', {
  plugin: textOnnxEncoderPlugin,
  options: {
    model,
    tokenizer,
    maxLength: LENGTH,
    pooling: 'sequence',
    projection: { units: 3, activation: 'tanh' },
  },
  samples: ['The quick brown fox jumped over the lazy dog!', 'hello world', '中文很好', 'Café naïve'],
});
