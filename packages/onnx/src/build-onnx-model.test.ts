import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { describe, expect, it } from 'vitest';
import { type BuildOnnxModelOptions, buildOnnxModel } from './build-onnx-model.js';
import { loadOnnxModel } from './load-onnx-model.js';
import { readOnnxModelInfo } from './read-onnx-model.js';
import { buildTinyCnn, conv2d, maxAbsDiff, seededFloats, tinyCnnReference } from './test-fixtures.js';

async function runOnce(
  spec: BuildOnnxModelOptions,
  feeds: Parameters<Awaited<ReturnType<typeof loadOnnxModel>>['run']>[0],
) {
  const model = await loadOnnxModel(buildOnnxModel(spec));
  try {
    return await model.run(feeds);
  } finally {
    await model.release();
  }
}

describe('buildOnnxModel', () => {
  it('builds Conv → Relu → GlobalAveragePool → Flatten that onnxruntime runs like a JS reference', async () => {
    const cnn = buildTinyCnn({ channels: 3, filters: 5, height: 9, width: 7 });
    const n = 3;
    const images = seededFloats(n * 3 * 9 * 7, 42);
    const model = await loadOnnxModel(cnn.bytes);
    const out = await model.run({ image: { data: images, dims: [n, 3, 9, 7] } });
    expect(out.features!.dims).toEqual([n, 5]);
    const expected = new Float64Array(n * 5);
    for (let i = 0; i < n; i++) {
      expected.set(tinyCnnReference(cnn, images.subarray(i * 189, (i + 1) * 189), 9, 7), i * 5);
    }
    expect(maxAbsDiff(out.features!.data as Float32Array, expected)).toBeLessThan(1e-5);
    expect(
      [...expected].some((v) => v > 0),
      'the reference is not all zeros',
    ).toBe(true);
    await model.release();
  });

  it('builds MaxPool and Gemm (float alpha/beta, transB) correctly', async () => {
    const weight = seededFloats(3 * 4, 3);
    const bias = seededFloats(3, 4);
    const spec: BuildOnnxModelOptions = {
      inputs: [{ name: 'x', shape: ['n', 1, 4, 4] }],
      outputs: [{ name: 'y', shape: ['n', 3] }],
      initializers: [
        { name: 'w', dims: [3, 4], data: weight },
        { name: 'b', dims: [3], data: bias },
      ],
      nodes: [
        {
          op: 'MaxPool',
          inputs: ['x'],
          outputs: ['p'],
          attributes: { kernel_shape: [2, 2], strides: [2, 2] },
        },
        { op: 'Flatten', inputs: ['p'], outputs: ['f'], attributes: { axis: 1 } },
        { op: 'Gemm', inputs: ['f', 'w', 'b'], outputs: ['y'], attributes: { alpha: 1, beta: 1, transB: 1 } },
      ],
    };
    const x = seededFloats(2 * 16, 5);
    const { y } = await runOnce(spec, { x: { data: x, dims: [2, 1, 4, 4] } });
    const expected: number[] = [];
    for (let n = 0; n < 2; n++) {
      const pooled: number[] = [];
      for (const [py, px] of [
        [0, 0],
        [0, 2],
        [2, 0],
        [2, 2],
      ] as const) {
        const at = (yy: number, xx: number) => x[n * 16 + yy * 4 + xx]!;
        pooled.push(Math.max(at(py, px), at(py, px + 1), at(py + 1, px), at(py + 1, px + 1)));
      }
      for (let o = 0; o < 3; o++) {
        expected.push(bias[o]! + pooled.reduce((s, v, i) => s + v * weight[o * 4 + i]!, 0));
      }
    }
    expect(y!.dims).toEqual([2, 3]);
    expect(maxAbsDiff(y!.data as Float32Array, expected)).toBeLessThan(1e-5);
  });

  it('builds MatMul + Add, ReduceMean over a negative axis and Gather with int64 indices', async () => {
    // An embedding lookup → mean over the sequence → linear layer: the shape of a tiny text encoder.
    const table = seededFloats(10 * 4, 11);
    const weight = seededFloats(4 * 2, 12);
    const bias = seededFloats(2, 13);
    const spec: BuildOnnxModelOptions = {
      opset: 17,
      inputs: [{ name: 'tokens', shape: ['n', 3], dtype: 'int64' }],
      outputs: [{ name: 'y', shape: ['n', 2] }],
      initializers: [
        { name: 'table', dims: [10, 4], data: table },
        { name: 'w', dims: [4, 2], data: weight },
        { name: 'b', dims: [2], data: bias },
      ],
      nodes: [
        { op: 'Gather', inputs: ['table', 'tokens'], outputs: ['emb'], attributes: { axis: 0 } },
        { op: 'Transpose', inputs: ['emb'], outputs: ['embT'], attributes: { perm: [0, 2, 1] } },
        { op: 'ReduceMean', inputs: ['embT'], outputs: ['mean'], attributes: { axes: [-1], keepdims: 0 } },
        { op: 'MatMul', inputs: ['mean', 'w'], outputs: ['mm'] },
        { op: 'Add', inputs: ['mm', 'b'], outputs: ['y'] },
      ],
    };
    const tokens = [
      [1, 2, 3],
      [9, 0, 9],
    ];
    const { y } = await runOnce(spec, {
      tokens: { data: BigInt64Array.from(tokens.flat().map(BigInt)), dims: [2, 3] },
    });
    const expected = tokens.flatMap((row) => {
      const mean = [0, 1, 2, 3].map((d) => row.reduce((s, t) => s + table[t * 4 + d]!, 0) / row.length);
      return [0, 1].map((o) => bias[o]! + mean.reduce((s, v, d) => s + v * weight[d * 2 + o]!, 0));
    });
    expect(maxAbsDiff(y!.data as Float32Array, expected)).toBeLessThan(1e-5);
  });

  it('writes ReduceMean axes as an input at opset 18, tensor attributes and int64 initializers', async () => {
    const spec: BuildOnnxModelOptions = {
      opset: 18,
      inputs: [{ name: 'x', shape: [2, 3] }],
      outputs: [{ name: 'y', shape: [2] }],
      initializers: [{ name: 'axes', dims: [1], data: new BigInt64Array([1n]) }],
      nodes: [
        {
          op: 'Constant',
          inputs: [],
          outputs: ['scale'],
          attributes: { value: { type: 'tensor', value: { dims: [], data: new Float32Array([2]) } } },
        },
        { op: 'Mul', inputs: ['x', 'scale'], outputs: ['scaled'] },
        { op: 'ReduceMean', inputs: ['scaled', 'axes'], outputs: ['y'], attributes: { keepdims: 0 } },
      ],
    };
    const { y } = await runOnce(spec, { x: { data: new Float32Array([1, 2, 3, 4, 5, 6]), dims: [2, 3] } });
    expect([...(y!.data as Float32Array)]).toEqual([4, 10]);
  });

  it('writes the header readOnnxModelInfo reads back', () => {
    const bytes = buildOnnxModel({
      opset: 13,
      inputs: [{ name: 'pixels', shape: ['batch', 3, null, 224] }],
      outputs: [{ name: 'logits', shape: ['batch', 1000], dtype: 'float32' }],
      initializers: [{ name: 'w', dims: [1], data: new Float32Array([1]) }],
      nodes: [
        { op: 'Mul', inputs: ['pixels', 'w'], outputs: ['m'] },
        { op: 'ReduceMean', inputs: ['m'], outputs: ['logits'], attributes: { axes: [2, 3], keepdims: 0 } },
      ],
    });
    const info = readOnnxModelInfo(bytes);
    expect(info.irVersion).toBe(7);
    expect(info.opsets).toEqual([{ domain: '', version: 13 }]);
    expect(info.inputs).toEqual([{ name: 'pixels', dtype: 'float32', shape: ['batch', 3, null, 224] }]);
    expect(info.outputs).toEqual([{ name: 'logits', dtype: 'float32', shape: ['batch', 1000] }]);
    expect(info.nodeCount).toBe(2);
    expect(info.initializerCount).toBe(1);
    expect(info.usesExternalData).toBe(false);
  });

  it('refuses graphs that are not wired up, naming where', () => {
    const base: BuildOnnxModelOptions = {
      inputs: [{ name: 'x', shape: [1] }],
      outputs: [{ name: 'y', shape: [1] }],
      nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }],
    };
    const cases: [Partial<BuildOnnxModelOptions>, string][] = [
      [{ nodes: [{ op: 'Relu', inputs: ['nope'], outputs: ['y'] }] }, 'nodes[0].inputs[0]'],
      [{ outputs: [{ name: 'z', shape: [1] }] }, 'outputs[0].name'],
      [{ nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['x'] }] }, 'nodes[0].outputs[0]'],
      [{ initializers: [{ name: 'w', dims: [2, 2], data: new Float32Array(3) }] }, 'initializers[0].data'],
      [{ opset: 7 }, 'opset'],
      [{ inputs: [] }, 'inputs'],
      [
        { nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'], attributes: { k: Number.NaN } }] },
        'nodes[0].attributes.k',
      ],
      [
        {
          nodes: [
            { op: 'Relu', inputs: ['x'], outputs: ['y'], attributes: { k: { type: 'int', value: 1.5 } } },
          ],
        },
        'nodes[0].attributes.k',
      ],
      [{ inputs: [{ name: 'x', shape: [-1] }] }, 'inputs[0].shape[0]'],
    ];
    for (const [change, path] of cases) {
      let error: unknown;
      try {
        buildOnnxModel({ ...base, ...change });
      } catch (e) {
        error = e;
      }
      expect(OmnifuseError.isInstance(error), `${path} throws an OmnifuseError`).toBe(true);
      expect((error as OmnifuseError).code).toBe(ErrorCode.InvalidOptions);
      expect((error as OmnifuseError).path).toBe(path);
    }
  });

  it('builds an unpadded 2×2 convolution that matches the JS reference', async () => {
    const weight = seededFloats(2 * 1 * 2 * 2, 21);
    const bias = new Float32Array([0.5, -0.5]);
    const x = seededFloats(5 * 5, 22);
    const { y } = await runOnce(
      {
        inputs: [{ name: 'x', shape: [1, 1, 5, 5] }],
        outputs: [{ name: 'y', shape: [1, 2, 4, 4] }],
        initializers: [
          { name: 'w', dims: [2, 1, 2, 2], data: weight },
          { name: 'b', dims: [2], data: bias },
        ],
        nodes: [
          { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['y'], attributes: { kernel_shape: [2, 2] } },
        ],
      },
      { x: { data: x, dims: [1, 1, 5, 5] } },
    );
    expect(maxAbsDiff(y!.data as Float32Array, conv2d(x, [1, 5, 5], weight, bias, 2, 0).data)).toBeLessThan(
      1e-5,
    );
  });
});
