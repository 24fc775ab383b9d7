import { describeFusionParity } from '@omnifuse/runtime/testing';
import { lateFusionPlugin } from './late-fusion.js';

// One training step on webgpu and on cpu from the same weights; modality dropout stays off.

describeFusionParity('late (mean)', {
  plugin: lateFusionPlugin,
  options: { decisionDim: 8 },
  acceptsSequences: true,
});

describeFusionParity('late (learned, hidden layer)', {
  plugin: lateFusionPlugin,
  options: { combine: 'learned', hidden: [8], decisionDim: 8 },
  acceptsSequences: true,
});
