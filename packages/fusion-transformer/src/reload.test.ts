import { expectFreshProcessReload } from '@omnifuse/test-utils/reload';
import { describe, it } from 'vitest';

describe('saved bundles', () => {
  it('fusion:transformer reloads in a fresh process and predicts identically', {
    timeout: 180_000,
  }, async () => {
    await expectFreshProcessReload({
      fusionPackage: '@omnifuse/fusion-transformer',
      fusion: {
        type: 'fusion:transformer',
        options: { dim: 8, numHeads: 2, ffDim: 16, layers: 1, crossAttention: true, modalityDropout: 0.2 },
      },
    });
  });
});
