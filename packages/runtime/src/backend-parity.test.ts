import { vectorEncoderPlugin } from '@omnifuse/core';
import { describeEncoderParity } from './testing/index.js';

describeEncoderParity('vector:mlp (two hidden layers)', {
  plugin: vectorEncoderPlugin,
  options: { hidden: [8, 4] },
  samples: [
    [1, 2, 3],
    [4, 5, 6],
    [0.5, -1, 2],
    [7, 7, 7],
  ],
});
