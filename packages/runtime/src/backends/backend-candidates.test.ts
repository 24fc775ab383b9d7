import { BACKEND_NAMES } from '@omnifuse/core';
import { describe, expect, it } from 'vitest';
import { backendCandidates } from './backend-candidates.js';
import { failureReason } from './import-module.js';

describe('backendCandidates', () => {
  it('has one candidate per backend, with distinct priorities in BACKEND_NAMES order', () => {
    const candidates = backendCandidates().sort((a, b) => b.priority - a.priority);
    expect(candidates.map((c) => c.name)).toEqual([...BACKEND_NAMES]);
  });
});

describe('failureReason', () => {
  const pkg = '@tensorflow/tfjs-node';

  it('says "not installed" when the package itself is missing (node or vite wording)', () => {
    const node = Object.assign(new Error(`Cannot find package '${pkg}' imported from /app/x.js`), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    expect(failureReason(node, pkg)).toBe(`${pkg} is not installed`);
    expect(failureReason(new Error(`Cannot find module '${pkg}'\nRequire stack:`), pkg)).toBe(
      `${pkg} is not installed`,
    );
    expect(failureReason(new Error(`Could not resolve "${pkg}" imported by "x".`), pkg)).toBe(
      `${pkg} is not installed`,
    );
  });

  it('keeps the message when something inside the package is missing', () => {
    const binding = new Error(
      `Cannot find module '/app/node_modules/${pkg}/lib/napi-v8/tfjs_binding.node'\nRequire stack: ...`,
    );
    expect(failureReason(binding, pkg)).toBe(
      `Cannot find module '/app/node_modules/${pkg}/lib/napi-v8/tfjs_binding.node'`,
    );
    expect(failureReason('libcudart.so.11.0: cannot open shared object file', pkg)).toContain('libcudart');
  });
});
