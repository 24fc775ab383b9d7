import { describeFusionConformance } from '@omnifuse/core/testing';
import { transformerFusionPlugin } from './transformer-fusion.js';

const SMALL = { dim: 8, numHeads: 2, ffDim: 16, layers: 1 };

describeFusionConformance('fusion:transformer (cls pooling)', {
  plugin: transformerFusionPlugin,
  options: SMALL,
  acceptsSequences: true,
  ignoresMissing: true,
  invalidOptions: [
    { dim: 10, numHeads: 4 },
    { layers: 0 },
    { dropout: 1 },
    { pooling: 'max' },
    { unknown: 1 },
  ],
});

describeFusionConformance('fusion:transformer (cross-attention, positions, mean pooling, modality dropout)', {
  plugin: transformerFusionPlugin,
  options: { ...SMALL, crossAttention: true, positions: true, pooling: 'mean', modalityDropout: 0.3 },
  acceptsSequences: true,
  ignoresMissing: true,
  skip: { plugin: 'checked by the first suite' },
});
