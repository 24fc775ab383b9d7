import { expectFreshProcessReload } from '@omnifuse/test-utils/reload';
import { describe, it } from 'vitest';

describe('saved bundles', () => {
  for (const fusion of [
    { type: 'fusion:attention', options: { dim: 8, hidden: 4, output: 'sum+concat', modalityDropout: 0.2 } },
    { type: 'fusion:gmu', options: { dim: 8, modalityDropout: 0.2 } },
  ]) {
    it(`${fusion.type}: reloads in a fresh process and predicts identically`, {
      timeout: 180_000,
    }, async () => {
      await expectFreshProcessReload({ fusionPackage: '@omnifuse/fusion-attention', fusion });
    });
  }
});
