import { ErrorCode, type OmnifuseError } from '@omnifuse/core';
import { catchAsync, expectOmnifuseError } from '@omnifuse/core/testing';
import { describe, expect, it } from 'vitest';
import type { Tfjs } from '../kernels/kernel-types.js';
import { WASM_TRAINING_KERNELS } from '../kernels/register-wasm-training-kernels.js';
import { selectBackend } from './select-backend.js';

async function thrown(run: () => Promise<unknown>): Promise<OmnifuseError> {
  const error = await catchAsync(run);
  expectOmnifuseError(error, 'the call');
  return error;
}

describe('selectBackend', () => {
  // tfjs-node and tfjs-node-gpu are not installed in this repo; tfjs-backend-wasm is.
  it('auto picks wasm here and says why each better backend did not load', async () => {
    const selected = await selectBackend('auto');
    expect(selected.name).toBe('wasm');
    expect(selected.tfjsBackend).toBe('wasm');
    expect(selected.tf.getBackend()).toBe('wasm');
    expect(selected.reasons['tensorflow-gpu']).toContain('@tensorflow/tfjs-node-gpu is not installed');
    expect(selected.reasons.tensorflow).toContain('@tensorflow/tfjs-node is not installed');
    // webgpu: only the software adapter here (llvmpipe), or Dawn cannot start at all.
    expect(selected.reasons.webgpu).toBeDefined();
    expect(Object.keys(selected.reasons)).toEqual(['tensorflow-gpu', 'webgpu', 'tensorflow']);
    expect(selected.kernels).toEqual([...WASM_TRAINING_KERNELS]);
    expect(selected.version).toBe(selected.tf.version.tfjs);
  });

  it('returns the tfjs namespace the app imports', async () => {
    const tf = await import('@tensorflow/tfjs');
    const selected = await selectBackend('cpu');
    expect(selected.tf.tensor).toBe(tf.tensor);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('explicit cpu works and trains', async () => {
    const { tf, name, reasons } = await selectBackend('cpu');
    expect(name).toBe('cpu');
    expect(reasons).toEqual({});
    expect(tf.tidy(() => tf.add(tf.scalar(2), tf.scalar(3)).dataSync()[0])).toBe(5);
  });

  it('explicit tensorflow throws E_BACKEND_UNAVAILABLE naming the package', async () => {
    const error = await thrown(() => selectBackend('tensorflow'));
    expect(error.code).toBe(ErrorCode.BackendUnavailable);
    expect(error.message).toContain('npm install @tensorflow/tfjs-node');
    expect(error.message).toContain('is not installed');
    expect(error.details).toMatchObject({ backend: 'tensorflow', package: '@tensorflow/tfjs-node' });
  });

  it('explicit tensorflow-gpu names the gpu package', async () => {
    const error = await thrown(() => selectBackend('tensorflow-gpu'));
    expect(error.code).toBe(ErrorCode.BackendUnavailable);
    expect(error.message).toContain('@tensorflow/tfjs-node-gpu');
  });

  it('rejects an unknown choice with E_OPTIONS', async () => {
    const error = await thrown(() => selectBackend('metal' as never));
    expect(error.code).toBe(ErrorCode.InvalidOptions);
    expect(error.message).toContain('auto | tensorflow-gpu | webgpu | tensorflow | wasm | cpu');
  });

  it('uses tfjs-node when it loads on the app tfjs, and refuses one built on another tfjs copy', async () => {
    const real = (specifier: string) => import(specifier);
    const fakeNode = async (tf: Tfjs) => {
      // Stand-in for tfjs-node: registers a "tensorflow" backend on the app's tfjs.
      if (tf.findBackendFactory('tensorflow') === null) {
        tf.registerBackend('tensorflow', () => new tf.MathBackendCPU(), 3);
      }
      return { ...tf, version: { ...tf.version, 'tfjs-node': '4.22.0' } };
    };
    const withNode = async (specifier: string) =>
      specifier === '@tensorflow/tfjs-node'
        ? fakeNode((await real('@tensorflow/tfjs')) as Tfjs)
        : real(specifier);
    const selected = await selectBackend('auto', { importModule: withNode });
    expect(selected.name).toBe('tensorflow');
    expect(selected.tfjsBackend).toBe('tensorflow');
    expect(selected.version).toBe('4.22.0');
    expect(Object.keys(selected.reasons)).toEqual(['tensorflow-gpu', 'webgpu']);

    const otherCopy = async (specifier: string) =>
      specifier === '@tensorflow/tfjs-node'
        ? { tensor: () => null, version: { 'tfjs-core': '4.10.0' } }
        : real(specifier);
    const error = await thrown(() => selectBackend('tensorflow', { importModule: otherCopy }));
    expect(error.message).toContain('own copy of @tensorflow/tfjs-core (4.10.0)');
  });
});
