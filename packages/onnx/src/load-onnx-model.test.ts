import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ErrorCode, OmnifuseError, sha256 } from '@omnifuse/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOnnxModel } from './build-onnx-model.js';
import { loadOnnxModel, type OnnxModel } from './load-onnx-model.js';
import { buildTinyCnn, maxAbsDiff, seededFloats, tinyCnnReference } from './test-fixtures.js';

const cnn = buildTinyCnn({ channels: 2, filters: 3, height: 6, width: 5 });
let dir: string;
let file: string;
let model: OnnxModel;

async function rejection(run: () => Promise<unknown>): Promise<OmnifuseError> {
  try {
    await run();
  } catch (error) {
    expect(OmnifuseError.isInstance(error), `threw ${String(error)}, not an OmnifuseError`).toBe(true);
    return error as OmnifuseError;
  }
  throw new Error('expected a rejection');
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-onnx-'));
  file = path.join(dir, 'tiny-cnn.onnx');
  writeFileSync(file, cnn.bytes);
  model = await loadOnnxModel(file);
});

afterAll(async () => {
  await model.release();
  rmSync(dir, { recursive: true, force: true });
});

describe('loadOnnxModel', () => {
  it('exposes names, dtypes, shapes and the sha256 of the file', () => {
    expect(model.file).toBe(file);
    expect(model.name).toBe(file);
    expect(model.inputNames).toEqual(['image']);
    expect(model.outputNames).toEqual(['features']);
    expect(model.inputs).toEqual([{ name: 'image', dtype: 'float32', shape: ['batch', 2, 6, 5] }]);
    expect(model.outputs).toEqual([{ name: 'features', dtype: 'float32', shape: ['batch', 3] }]);
    expect(model.sha256).toBe(sha256(cnn.bytes));
    expect(model.byteLength).toBe(cnn.bytes.length);
    expect(model.info.opsets).toEqual([{ domain: '', version: 17 }]);
  });

  it('runs, also concurrently, like the JS reference', async () => {
    const images = [0, 1, 2, 3].map((i) => seededFloats(2 * 6 * 5, 100 + i));
    const results = await Promise.all(
      images.map((data) => model.run({ image: { data, dims: [1, 2, 6, 5] } })),
    );
    results.forEach((out, i) => {
      expect(out.features!.dims).toEqual([1, 3]);
      expect(out.features!.dtype).toBe('float32');
      expect(
        maxAbsDiff(out.features!.data as Float32Array, tinyCnnReference(cnn, images[i]!, 6, 5)),
      ).toBeLessThan(1e-5);
    });
  });

  it('loads from a relative path (against the cwd), a file URL, bytes and an ArrayBuffer', async () => {
    const sources = [
      path.relative(process.cwd(), file),
      pathToFileURL(file),
      cnn.bytes,
      cnn.bytes.slice().buffer,
    ];
    for (const source of sources) {
      const loaded = await loadOnnxModel(source, { intraOpNumThreads: 1 });
      expect(loaded.sha256).toBe(model.sha256);
      expect(loaded.file).toBe(
        source instanceof Uint8Array || source instanceof ArrayBuffer ? undefined : file,
      );
      await loaded.release();
    }
    const named = await loadOnnxModel(cnn.bytes, { name: 'tiny cnn' });
    expect(named.name).toBe('tiny cnn');
    await named.release();
  });

  it('turns a missing file or a directory into E_INPUT naming the file', async () => {
    const missing = path.join(dir, 'nope.onnx');
    const error = await rejection(() => loadOnnxModel(missing));
    expect(error.code).toBe(ErrorCode.InvalidInput);
    expect(error.file).toBe(missing);
    expect(error.found).toBe('no such file');
    expect(error.message).toContain(missing);
    const sub = path.join(dir, 'a-directory.onnx');
    mkdirSync(sub);
    expect((await rejection(() => loadOnnxModel(sub))).found).toBe('a directory');
  });

  it('turns corrupt, truncated, empty and foreign files into E_INPUT naming the file', async () => {
    const png = Uint8Array.from([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82,
    ]);
    const random = seededFloats(64, 9).map((v) => Math.floor((v + 1) * 127));
    const cases: [string, Uint8Array][] = [
      ['truncated.onnx', cnn.bytes.subarray(0, Math.floor(cnn.bytes.length / 2))],
      ['truncated-by-one.onnx', cnn.bytes.subarray(0, cnn.bytes.length - 1)],
      ['empty.onnx', new Uint8Array(0)],
      ['image.png', png],
      ['random.onnx', Uint8Array.from(random)],
      ['text.onnx', new TextEncoder().encode('{"not": "a model"}\n')],
    ];
    for (const [name, bytes] of cases) {
      const target = path.join(dir, name);
      writeFileSync(target, bytes);
      const error = await rejection(() => loadOnnxModel(target));
      expect(error.code, name).toBe(ErrorCode.InvalidInput);
      expect(error.file, name).toBe(target);
      expect(error.message, name).toMatch(/not a readable ONNX model/);
      expect(error.message, name).toContain(target);
    }
  });

  it("wraps onnxruntime's own load failure (an unknown operator) without leaking it raw", async () => {
    const bytes = buildOnnxModel({
      inputs: [{ name: 'x', shape: [1] }],
      outputs: [{ name: 'y', shape: [1] }],
      nodes: [{ op: 'NoSuchOperator', inputs: ['x'], outputs: ['y'] }],
    });
    const error = await rejection(() => loadOnnxModel(bytes, { name: 'odd model' }));
    expect(error.code).toBe(ErrorCode.InvalidInput);
    expect(error.message).toMatch(/onnxruntime could not load odd model: .*NoSuchOperator/);
    expect(error.message).not.toContain('\n');
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('checks feeds before running: size, shape, element type, names', async () => {
    const ok = { data: new Float32Array(2 * 6 * 5), dims: [1, 2, 6, 5] };
    const cases: [string, () => Promise<unknown>, unknown, unknown][] = [
      [
        'wrong image size',
        () => model.run({ image: { data: new Float32Array(2 * 7 * 5), dims: [1, 2, 7, 5] } }),
        '[batch, 2, 6, 5]',
        '[1, 2, 7, 5]',
      ],
      [
        'wrong rank',
        () => model.run({ image: { data: ok.data, dims: [2, 6, 5] } }),
        '[batch, 2, 6, 5]',
        '[2, 6, 5]',
      ],
      [
        'data shorter than dims',
        () => model.run({ image: { data: new Float32Array(10), dims: [1, 2, 6, 5] } }),
        60,
        10,
      ],
      [
        'wrong element type',
        () => model.run({ image: { data: new Int32Array(60), dims: ok.dims } }),
        'float32',
        'int32',
      ],
      ['missing input', () => model.run({}), ['image'], []],
      ['unknown input', () => model.run({ image: ok, extra: ok }), ['image'], ['image', 'extra']],
      ['unknown output', () => model.run({ image: ok }, { outputs: ['logits'] }), ['features'], ['logits']],
    ];
    for (const [what, run, expected, found] of cases) {
      const error = await rejection(run);
      expect(error.code, what).toBe(ErrorCode.InvalidInput);
      expect(error.file, what).toBe(file);
      expect(error.expected, what).toEqual(expected);
      expect(error.found, what).toEqual(found);
    }
  });

  it('refuses invalid session options and runs after release', async () => {
    const bad = await rejection(() => loadOnnxModel(file, { intraOpNumThreads: -1 }));
    expect(bad.code).toBe(ErrorCode.InvalidOptions);
    const loaded = await loadOnnxModel(file);
    await loaded.release();
    await loaded.release();
    const error = await rejection(() =>
      loaded.run({ image: { data: new Float32Array(60), dims: [1, 2, 6, 5] } }),
    );
    expect(error.message).toMatch(/released/);
  });
});
