import { describeEncoderParity } from '@omnifuse/runtime/testing';
import { dataVectorEncoderPlugin } from './encoder.js';

// One training step on webgpu and on cpu from the same weights.

describeEncoderParity('data:vector (imputed, Yeo-Johnson, PCA)', {
  plugin: dataVectorEncoderPlugin,
  options: {
    steps: [
      { type: 'simple-imputer', options: { strategy: 'mean' } },
      { type: 'yeo-johnson' },
      { type: 'pca', options: { nComponents: 2 } },
    ],
    hidden: [8],
  },
  samples: [
    [5.1, 3.5, 1.4],
    [4.9, null, 1.3],
    [6.3, 3.3, 6.0],
    [5.8, 2.7, 5.1],
  ],
});
