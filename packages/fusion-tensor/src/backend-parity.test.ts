import { describeFusionParity } from '@omnifuse/runtime/testing';
import { lowRankTensorFusionPlugin } from './low-rank-tensor.js';
import { tensorFusionPlugin } from './tensor.js';

// One training step on webgpu and on cpu from the same weights; modality dropout stays off.

describeFusionParity('tensor (defaults)', { plugin: tensorFusionPlugin, acceptsSequences: true });

describeFusionParity('tensor (learned missing embedding)', {
  plugin: tensorFusionPlugin,
  options: { dim: 3, activation: 'linear', missing: 'embedding' },
  acceptsSequences: true,
});

describeFusionParity('low-rank tensor (defaults)', {
  plugin: lowRankTensorFusionPlugin,
  acceptsSequences: true,
});

describeFusionParity('low-rank tensor (rank 1, learned missing embedding)', {
  plugin: lowRankTensorFusionPlugin,
  options: { rank: 1, outputDim: 5, missing: 'embedding' },
  acceptsSequences: true,
});
