import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { afterAll, describe, expect, it, vi } from 'vitest';
import * as loader from './load-onnx-model.js';
import { pinOnnxModel } from './pinned-model.js';

vi.mock('./load-onnx-model.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('./load-onnx-model.js')>();
  return { ...original, loadOnnxModel: vi.fn(original.loadOnnxModel) };
});
const loadOnnxModel = vi.mocked(loader.loadOnnxModel);

import { buildTinyCnn } from './test-fixtures.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-pinned-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const openError = (error: unknown, step: string) =>
  new OmnifuseError({ code: ErrorCode.InvalidOptions, message: `cannot open (${step})`, cause: error });

describe('pinOnnxModel', () => {
  it('opens lazily and once, keeps serving the fitted weights, and refuses a file that changed', async () => {
    const file = path.join(dir, 'model.onnx');
    writeFileSync(file, buildTinyCnn({ seed: 1 }).bytes);
    loadOnnxModel.mockClear();
    const pinned = pinOnnxModel(file, { plugin: 'test:onnx', openError });
    expect(loadOnnxModel).not.toHaveBeenCalled();
    const [a, b] = await Promise.all([pinned.open('fit'), pinned.open('preprocess')]);
    expect(a).toBe(b);
    expect(loadOnnxModel).toHaveBeenCalledTimes(1);
    const fitted = a.sha256;

    // The open session still holds the fitted weights after the file changes, so it keeps serving them.
    writeFileSync(file, buildTinyCnn({ seed: 2 }).bytes);
    expect(await pinned.withWeights(fitted)).toBe(a);

    // A fresh instance (a reloaded bundle) finds other weights in the file: its features would be
    // cached under the fitted model's key, so it refuses.
    const restored = pinOnnxModel(file, { plugin: 'test:onnx', openError });
    const error = await restored.withWeights(fitted).catch((e: unknown) => e);
    expect(OmnifuseError.isInstance(error)).toBe(true);
    expect((error as OmnifuseError).code).toBe(ErrorCode.InvalidInput);
    expect((error as OmnifuseError).plugin).toBe('test:onnx');
    expect((error as OmnifuseError).file).toBe(file);
    expect((error as OmnifuseError).expected).toBe(`sha256 ${fitted}`);

    // Refitting reopens the file and pins its new weights.
    const refitted = await pinned.reopen('fit');
    expect(refitted.sha256).not.toBe(fitted);
    expect(await pinned.withWeights(refitted.sha256)).toBe(refitted);
  });

  it('raises the plugin error for a failed open and retries on the next call', async () => {
    const file = path.join(dir, 'later.onnx');
    const pinned = pinOnnxModel(file, { plugin: 'test:onnx', openError });
    const error = await pinned.open('fit').catch((e: unknown) => e);
    expect((error as OmnifuseError).message).toBe('cannot open (fit)');
    writeFileSync(file, buildTinyCnn({ seed: 3 }).bytes);
    expect((await pinned.open('preprocess')).sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
