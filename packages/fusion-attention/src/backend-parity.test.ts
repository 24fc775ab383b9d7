import { describeFusionParity } from '@omnifuse/runtime/testing';
import { attentionFusionPlugin } from './attention.js';
import { gmuFusionPlugin } from './gmu.js';

// One training step on webgpu and on cpu from the same weights; modality dropout stays off.

describeFusionParity('attention (defaults)', { plugin: attentionFusionPlugin, acceptsSequences: true });

describeFusionParity('attention (MLP scorer, sum+concat)', {
  plugin: attentionFusionPlugin,
  options: { dim: 8, hidden: 6, output: 'sum+concat', activation: 'linear' },
  acceptsSequences: true,
});

describeFusionParity('gmu', { plugin: gmuFusionPlugin, options: { dim: 4 }, acceptsSequences: true });
