// @omnifuse/onnx example: build a tiny CNN in code, load it with onnxruntime, extract features.
// Run from the repository root: node --conditions=@omnifuse/source --import tsx packages/onnx/examples/tiny-cnn.mjs
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OmnifuseError } from '@omnifuse/core';
import { createOnnxFeatureExtractor, loadOnnxModel } from '@omnifuse/onnx';
import { buildOnnxModel } from '@omnifuse/onnx/testing';

// 1. Conv 3×3 → Relu → GlobalAveragePool → Flatten, with known weights: filter 0 passes each
//    pixel through, filter 1 negates it. (buildOnnxModel is a testing utility: real models come
//    from PyTorch's torch.onnx.export, tf2onnx and the like.)
const kernel = (centre) => Float32Array.from({ length: 9 }, (_, i) => (i === 4 ? centre : 0));
const bytes = buildOnnxModel({
  inputs: [{ name: 'image', shape: ['batch', 1, 8, 8] }],
  outputs: [{ name: 'features', shape: ['batch', 2] }],
  initializers: [
    { name: 'conv.weight', dims: [2, 1, 3, 3], data: Float32Array.of(...kernel(1), ...kernel(-1)) },
    { name: 'conv.bias', dims: [2], data: new Float32Array(2) },
  ],
  nodes: [
    {
      op: 'Conv',
      inputs: ['image', 'conv.weight', 'conv.bias'],
      outputs: ['conv'],
      attributes: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] },
    },
    { op: 'Relu', inputs: ['conv'], outputs: ['relu'] },
    { op: 'GlobalAveragePool', inputs: ['relu'], outputs: ['pooled'] },
    { op: 'Flatten', inputs: ['pooled'], outputs: ['features'], attributes: { axis: 1 } },
  ],
});
const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'omnifuse-onnx-')), 'tiny-cnn.onnx');
writeFileSync(file, bytes);

// 2. Load it: input and output names, dtypes and shapes, and the sha256 of the exact weights.
const model = await loadOnnxModel(file);
for (const value of [...model.inputs, ...model.outputs]) {
  console.log(`${value.name}: ${value.dtype} [${value.shape.join(', ')}]`);
}
console.log(`sha256 ${model.sha256.slice(0, 12)}…, ${model.runtime}`);

// 3. A feature extractor: channels-last images in (as omnifuse preprocesses them), transposed to
//    the NCHW layout the model declares, one flat vector per image out.
const extractor = await createOnnxFeatureExtractor({ model });
const images = new Float32Array(2 * 8 * 8);
images.fill(0.5, 0, 64); // a mid-grey image
images.fill(-0.25, 64); // a darker-than-mean one
const features = await extractor.extract(images, 2, [8, 8, 1]);
console.log(`layout ${extractor.layout}, ${extractor.outputDim} features per image`);
console.log(`image 0: [${features.subarray(0, 2).join(', ')}]`);
console.log(`image 1: [${features.subarray(2, 4).join(', ')}]`);

// 4. Mistakes are OmnifuseErrors naming the file and what was expected and found.
try {
  await model.run({ image: { data: new Float32Array(49), dims: [1, 1, 7, 7] } });
} catch (error) {
  if (!OmnifuseError.isInstance(error)) throw error;
  console.log(`${error.code}: expected ${error.expected}, found ${error.found}`);
}
await model.release();
