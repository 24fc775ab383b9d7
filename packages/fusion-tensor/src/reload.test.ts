import { expectFreshProcessReload } from '@omnifuse/test-utils/reload';
import { describe, it } from 'vitest';

describe('saved bundles', () => {
  for (const fusion of [
    { type: 'fusion:tensor', options: { dim: 4, missing: 'embedding', modalityDropout: 0.2 } },
    { type: 'fusion:low-rank-tensor', options: { rank: 2, outputDim: 8, modalityDropout: 0.2 } },
  ]) {
    it(`${fusion.type}: reloads in a fresh process and predicts identically`, {
      timeout: 180_000,
    }, async () => {
      await expectFreshProcessReload({ fusionPackage: '@omnifuse/fusion-tensor', fusion });
    });
  }
});
