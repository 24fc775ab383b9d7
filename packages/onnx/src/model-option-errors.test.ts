import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { afterAll, describe, expect, it } from 'vitest';
import { asModelOptionError, checkModelFile } from './model-option-errors.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-model-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('checkModelFile', () => {
  it('names the plugin, the option and what was found', () => {
    const missing = path.join(dir, 'missing.onnx');
    expect(() => checkModelFile(missing, { plugin: 'x:onnx' })).toThrow(
      expect.objectContaining({
        code: ErrorCode.InvalidOptions,
        plugin: 'x:onnx',
        step: 'create',
        path: 'model',
        file: missing,
        expected: 'an existing .onnx file',
        found: 'no such file',
        reason: expect.stringMatching(/^ONNX model file not found/),
      }),
    );
    expect(() =>
      checkModelFile(dir, { plugin: 'x:onnx', option: 'tokenizer', label: 'tokenizer', expected: 'a json' }),
    ).toThrow(
      expect.objectContaining({
        path: 'tokenizer',
        expected: 'a json',
        found: 'a directory',
        reason: expect.stringMatching(/^tokenizer file not found/),
      }),
    );
  });
});

describe('asModelOptionError', () => {
  it('makes an error E_OPTIONS with the plugin, step and file', () => {
    const error = asModelOptionError(
      new OmnifuseError({ code: ErrorCode.InvalidInput, message: 'no output "y"', path: 'output' }),
      { plugin: 'x:onnx', step: 'fit', field: 'image', file: 'm.onnx' },
    );
    expect(error).toMatchObject({
      code: ErrorCode.InvalidOptions,
      plugin: 'x:onnx',
      step: 'fit',
      field: 'image',
      file: 'm.onnx',
      path: 'output',
    });
  });
});
