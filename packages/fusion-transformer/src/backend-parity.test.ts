import { describeFusionParity } from '@omnifuse/runtime/testing';
import { transformerFusionPlugin } from './transformer-fusion.js';

// One training step on webgpu and on cpu from the same weights; dropout stays off.

const SMALL = { dim: 8, numHeads: 2, ffDim: 16, layers: 1, dropout: 0 };

describeFusionParity('fusion:transformer (cls pooling)', {
  plugin: transformerFusionPlugin,
  options: SMALL,
  acceptsSequences: true,
});

describeFusionParity('fusion:transformer (cross-attention, positions, mean pooling)', {
  plugin: transformerFusionPlugin,
  options: { ...SMALL, crossAttention: true, positions: true, pooling: 'mean' },
  acceptsSequences: true,
});
