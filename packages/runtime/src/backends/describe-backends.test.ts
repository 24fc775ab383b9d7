import { BACKEND_NAMES } from '@omnifuse/core';
import { describe, expect, it } from 'vitest';
import { describeBackends } from './describe-backends.js';
import { selectBackend } from './select-backend.js';

describe('describeBackends', () => {
  it('lists every backend best first, with what is installed and which is active', async () => {
    await selectBackend('wasm');
    const report = await describeBackends();
    expect(report.tfjs).toBe('4.22.0');
    expect(report.tfjsBackend).toBe('wasm');
    expect(report.backends.map((b) => b.name)).toEqual([...BACKEND_NAMES]);
    const byName = Object.fromEntries(report.backends.map((b) => [b.name, b]));
    expect(byName.tensorflow).toMatchObject({
      package: '@tensorflow/tfjs-node',
      installed: false,
      active: false,
    });
    expect(byName.wasm).toMatchObject({ installed: true, version: '4.22.0', active: true });
    expect(byName.webgpu).toMatchObject({
      package: '@tensorflow/tfjs-backend-webgpu',
      installed: true,
      missing: [],
      active: false,
    });
    expect(byName.cpu).toMatchObject({ package: '@tensorflow/tfjs', installed: true, active: false });
  });
});
