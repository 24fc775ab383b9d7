import { describeFusionParity } from '@omnifuse/runtime/testing';
import { concatFusionPlugin } from './concat-fusion.js';

// One training step on webgpu and on cpu from the same weights; modality dropout stays off.

describeFusionParity('concat (defaults)', { plugin: concatFusionPlugin, acceptsSequences: true });

describeFusionParity('concat (projection, layer norm, learned missing embedding)', {
  plugin: concatFusionPlugin,
  options: { projection: 8, layerNorm: true, activation: 'gelu', missing: 'embedding' },
  acceptsSequences: true,
});
