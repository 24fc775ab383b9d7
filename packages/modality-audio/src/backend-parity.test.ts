import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildOnnxModel } from '@omnifuse/onnx/testing';
import { describeEncoderParity } from '@omnifuse/runtime/testing';
import { afterAll } from 'vitest';
import { cnn1dEncoderPlugin } from './encoders/cnn1d.js';
import { cnn2dEncoderPlugin } from './encoders/cnn2d.js';
import { audioOnnxEncoderPlugin } from './encoders/onnx.js';
import { rnnEncoderPlugin } from './encoders/rnn.js';
import { transformerEncoderPlugin } from './encoders/transformer.js';

// One training step per encoder on webgpu and on cpu, from the same weights, on 0.25 s clips.

const RATE = 8000;
/** 0.25 s at 8 kHz, hop 64 → 32 frames. */
const FRAMES = 32;
const LOGMEL = {
  sampleRate: RATE,
  duration: 0.25,
  features: { kind: 'logmel', nFft: 256, hopLength: 64, nMels: 16 },
};
const MFCC = {
  sampleRate: RATE,
  duration: 0.25,
  features: { kind: 'mfcc', nFft: 256, hopLength: 64, nMels: 20, nMfcc: 13 },
};
// Chirps and a noisy tone: decoded audio, so no data files are needed.
const samples = [300, 700, 1200, 2000].map((hz, k) => ({
  sampleRate: RATE,
  samples: Float32Array.from(
    { length: RATE / 4 },
    (_, i) =>
      0.5 * Math.sin((2 * Math.PI * hz * i * (1 + (k * i) / RATE)) / RATE) + 0.05 * Math.sin(i * i * 0.37),
  ),
}));

describeEncoderParity('audio:cnn2d (log-mel, small)', {
  plugin: cnn2dEncoderPlugin,
  options: { preprocess: LOGMEL, baseFilters: 4, extraBlocks: 1, head: 'globalAverage' },
  samples,
});

describeEncoderParity('audio:cnn1d (MFCC)', {
  plugin: cnn1dEncoderPlugin,
  options: { preprocess: MFCC, baseFilters: 4, blocks: 2, kernel: 3 },
  samples,
});

describeEncoderParity('audio:rnn (bidirectional GRU)', {
  plugin: rnnEncoderPlugin,
  options: { preprocess: MFCC, cell: 'gru', units: 6, layers: 1, bidirectional: true },
  samples,
});

describeEncoderParity('audio:rnn (LSTM)', {
  plugin: rnnEncoderPlugin,
  options: { preprocess: MFCC, cell: 'lstm', units: 6, layers: 1, bidirectional: false },
  samples,
});

describeEncoderParity('audio:transformer (one block)', {
  plugin: transformerEncoderPlugin,
  options: { preprocess: LOGMEL, dim: 8, blocks: 1, ffDim: 16 },
  samples,
});

// The frozen ONNX extractor runs in preprocess (onnxruntime, on the CPU), once for both backends;
// what is compared is the trainable projection and head on its features.
const dir = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-audio-parity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const model = path.join(dir, 'tiny.onnx');
writeFileSync(
  model,
  buildOnnxModel({
    inputs: [{ name: 'mfcc', shape: ['batch', FRAMES, 13] }],
    outputs: [{ name: 'embedding', shape: ['batch', 4] }],
    initializers: [
      {
        name: 'proj.weight',
        dims: [13, 4],
        data: Float32Array.from({ length: 52 }, (_, i) => Math.sin(i * 1.7) / 4),
      },
    ],
    nodes: [
      { op: 'MatMul', inputs: ['mfcc', 'proj.weight'], outputs: ['projected'] },
      {
        op: 'ReduceMean',
        inputs: ['projected'],
        outputs: ['embedding'],
        attributes: { axes: [1], keepdims: 0 },
      },
    ],
  }),
);

describeEncoderParity('audio:onnx (frozen features, trainable projection)', {
  plugin: audioOnnxEncoderPlugin,
  options: { model, preprocess: MFCC, projection: 6, activation: 'tanh' },
  samples,
});
