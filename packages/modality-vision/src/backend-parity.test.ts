import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildOnnxModel } from '@omnifuse/onnx/testing';
import { describeEncoderParity } from '@omnifuse/runtime/testing';
import { afterAll } from 'vitest';
import { cnnEncoderPlugin } from './encoders/cnn.js';
import { onnxEncoderPlugin } from './encoders/onnx.js';
import { patchEncoderPlugin } from './encoders/patch.js';
import { resnetEncoderPlugin } from './encoders/resnet.js';
import type { DecodedImage } from './image-options.js';

// One training step per encoder on webgpu and on cpu, from the same weights; dropout stays off.

const SIZE = 16;
const image = (channels: 1 | 3, seed: number): DecodedImage => ({
  width: SIZE,
  height: SIZE,
  channels,
  data: Uint8Array.from(
    { length: SIZE * SIZE * channels },
    (_, i) => (i * 37 + seed * 101 + ((i * seed) % 13)) % 256,
  ),
});
const grey = [1, 2, 3, 4].map((seed) => image(1, seed));
const rgb = [1, 2, 3, 4].map((seed) => image(3, seed));
const preprocess = (channels: 1 | 3) => ({ size: { width: SIZE, height: SIZE }, channels });

describeEncoderParity('vision:cnn (two blocks with batch norm, dense head)', {
  plugin: cnnEncoderPlugin,
  options: {
    preprocess: preprocess(1),
    blocks: [
      { filters: 4, kernel: 3, padding: 1, pool: 'max' },
      { filters: 8, kernel: 3, stride: 2, activation: 'gelu', pool: 'avg' },
    ],
    dense: [8],
  },
  samples: grey,
});

describeEncoderParity('vision:resnet (two stages)', {
  plugin: resnetEncoderPlugin,
  options: {
    preprocess: preprocess(3),
    stem: { filters: 4 },
    stages: [
      { filters: 4, blocks: 1 },
      { filters: 8, blocks: 1 },
    ],
  },
  samples: rgb,
});

describeEncoderParity('vision:patch (4×4 patches, layer norm)', {
  plugin: patchEncoderPlugin,
  options: { preprocess: preprocess(3), patchSize: 4, dim: 8 },
  samples: rgb,
});

// The frozen ONNX extractor runs in preprocess (onnxruntime, on the CPU), once for both backends;
// what is compared is the trainable projection and head on its features.
const dir = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-vision-parity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const model = path.join(dir, 'tiny-cnn.onnx');
writeFileSync(
  model,
  buildOnnxModel({
    inputs: [{ name: 'pixels', shape: ['batch', 1, SIZE, SIZE] }],
    outputs: [{ name: 'embedding', shape: ['batch', 6] }],
    initializers: [
      {
        name: 'conv.weight',
        dims: [6, 1, 3, 3],
        data: Float32Array.from({ length: 54 }, (_, i) => Math.sin(i) / 3),
      },
      { name: 'conv.bias', dims: [6], data: Float32Array.from({ length: 6 }, (_, i) => i / 10 - 0.2) },
    ],
    nodes: [
      {
        op: 'Conv',
        inputs: ['pixels', 'conv.weight', 'conv.bias'],
        outputs: ['conv'],
        attributes: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] },
      },
      { op: 'Relu', inputs: ['conv'], outputs: ['relu'] },
      { op: 'GlobalAveragePool', inputs: ['relu'], outputs: ['pooled'] },
      { op: 'Flatten', inputs: ['pooled'], outputs: ['embedding'], attributes: { axis: 1 } },
    ],
  }),
);

describeEncoderParity('vision:onnx (frozen ONNX CNN, trainable projection)', {
  plugin: onnxEncoderPlugin,
  options: { model, projection: 8 },
  samples: grey,
});
