import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runWithoutOnnxRuntime } from './without-onnx-runtime.js';

const REPO = path.resolve(import.meta.dirname, '../../../..');

describe('runWithoutOnnxRuntime', () => {
  it('hides onnxruntime-node: @omnifuse/onnx imports, and opening a model says what to install', async () => {
    const stdout = await runWithoutOnnxRuntime(
      `
const { loadOnnxModel } = await import('@omnifuse/onnx');
const { buildOnnxModel } = await import('@omnifuse/onnx/testing');
const bytes = buildOnnxModel({
  inputs: [{ name: 'x', shape: ['batch', 2] }],
  outputs: [{ name: 'y', shape: ['batch', 2] }],
  nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }],
});
try {
  await loadOnnxModel(bytes);
  console.log('loaded');
} catch (error) {
  console.log(error.code, error.message);
}
try {
  await import('onnxruntime-node');
} catch (error) {
  console.log(error.code);
}`,
      { cwd: REPO, nodeArgs: ['--conditions=@omnifuse/source', '--import', 'tsx'] },
    );
    expect(stdout).toContain('E_BACKEND_UNAVAILABLE onnxruntime-node is not installed');
    expect(stdout).toContain('npm install onnxruntime-node');
    expect(stdout).toContain('ERR_MODULE_NOT_FOUND');
  });
});
