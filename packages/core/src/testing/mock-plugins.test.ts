import { describe, expect, it } from 'vitest';
import { createRegistry } from '../registry.js';
import { describeEncoderConformance } from './encoder-conformance.js';
import { describeFusionConformance } from './fusion-conformance.js';
import { mockConcatFusionPlugin } from './mock-concat-fusion.js';
import { createMockEncoderPlugin } from './mock-encoder.js';

describeEncoderConformance('mock encoder', {
  plugin: createMockEncoderPlugin({ dim: 3 }),
  options: { scale: 2 },
  invalidOptions: [{ scale: 0 }, { other: 1 }],
  samples: [1, [1, 2, 3], -2.5, [0, 0, 1]],
  badInputs: [
    { value: [1, 2], reason: 'wrong length' },
    { value: Number.NaN, reason: 'NaN' },
    { value: 'x', reason: 'a string' },
  ],
});

describeFusionConformance('mock concat', {
  plugin: mockConcatFusionPlugin,
  invalidOptions: [{ dim: 3 }],
  acceptsSequences: true,
  ignoresMissing: true,
});

describe('createMockEncoderPlugin', () => {
  it('counts the calls of every step, and resets', async () => {
    const plugin = createMockEncoderPlugin({ id: 'mock:counted', dim: 2 });
    const encoder = plugin.create();
    const readMedia = async () => new Uint8Array();
    const state = await encoder.fit([1, 2], { field: 'x', readMedia });
    await encoder.preprocess(1, state, { record: 0, field: 'x', readMedia });
    await encoder.preprocess(2, state, { record: 1, field: 'x', readMedia });
    expect(plugin.calls).toEqual({ create: 1, fit: 1, preprocess: 2, augment: 0, build: 0 });
    plugin.resetCalls();
    expect(plugin.calls.preprocess).toBe(0);
  });

  it('does not count when asked not to, and registers under its id', () => {
    const plugin = createMockEncoderPlugin({ id: 'mock:quiet', countCalls: false, version: '2' });
    expect(plugin.create().version).toBe('2');
    expect(plugin.calls.create).toBe(0);
    const registry = createRegistry([plugin, mockConcatFusionPlugin]);
    expect(registry.encoder('mock:quiet')).toBe(plugin);
    expect(registry.fusion('fusion:mock-concat')).toBe(mockConcatFusionPlugin);
  });
});
