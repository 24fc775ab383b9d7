import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ErrorCode } from '@omnifuse/core';
import { buildOnnxModel, fitWithoutOnnxRuntime } from '@omnifuse/onnx/testing';
import { afterAll, describe, expect, it } from 'vitest';

// onnxruntime-node is an optional peer: a user who never creates text:onnx need not install it.

const REPO = path.resolve(import.meta.dirname, '../../../..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-no-ort-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Any readable model will do: the runtime is missing before the model's inputs matter.
const model = path.join(dir, 'model.onnx');
writeFileSync(
  model,
  buildOnnxModel({
    inputs: [{ name: 'x', shape: ['batch', 2] }],
    outputs: [{ name: 'y', shape: ['batch', 2] }],
    nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }],
  }),
);
// Only needs to exist: fit stops at the model, before reading it.
writeFileSync(path.join(dir, 'tokenizer.json'), '{}');

describe('text:onnx without onnxruntime-node', () => {
  it('imports and creates, and fitting says how to install it', async () => {
    const { error } = await fitWithoutOnnxRuntime({
      packageName: '@omnifuse/modality-text',
      plugin: 'text:onnx',
      encoderOptions: { model, tokenizer: path.join(dir, 'tokenizer.json') },
      cwd: REPO,
      nodeArgs: ['--conditions=@omnifuse/source', '--import', 'tsx'],
    });
    expect(error).toMatchObject({
      code: ErrorCode.BackendUnavailable,
      plugin: 'text:onnx',
      step: 'fit',
      details: { package: 'onnxruntime-node', install: 'npm install onnxruntime-node' },
    });
    expect(error?.message).toContain('npm install onnxruntime-node');
    expect(error?.message).toContain('"allowScripts": { "onnxruntime-node": false }');
  });
});
