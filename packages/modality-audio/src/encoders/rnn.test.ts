import { describeEncoderConformance } from '@omnifuse/core/testing';
import { describeWithData } from '@omnifuse/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRnnEncoder, rnnEncoderPlugin } from './rnn.js';
import { BAD_AUDIO_INPUTS, fsddSamples, SMALL_MFCC } from './test-samples.js';

const SMALL = { preprocess: SMALL_MFCC, cell: 'gru', units: 8, layers: 2, bidirectional: true } as const;

describeWithData(['fsdd', 'recordings'], 'audio:rnn on FSDD clips', () => {
  const samples = fsddSamples();
  describeEncoderConformance('audio:rnn (bidirectional GRU, last state)', {
    plugin: rnnEncoderPlugin,
    options: SMALL,
    samples,
    badInputs: BAD_AUDIO_INPUTS,
    invalidOptions: [{ cell: 'rnn' }, { units: 0 }, { layers: 0 }, { output: 'max' }, { unknown: true }],
  });
  describeEncoderConformance('audio:rnn (LSTM, mean of states)', {
    plugin: rnnEncoderPlugin,
    options: { preprocess: SMALL_MFCC, cell: 'lstm', units: 8, output: 'mean' },
    samples: samples.slice(0, 2),
    skip: { 'bad-inputs': 'same preprocessing as the GRU suite', 'invalid-options': 'same schema' },
  });
});

describe('audio:rnn', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it.each([
    [{ cell: 'gru', units: 8 }, 8],
    [{ cell: 'lstm', units: 8, bidirectional: true }, 16],
    [{ cell: 'gru', units: 4, layers: 2, output: 'mean' }, 4],
  ] as const)('gives the state size for %o', (options, dim) => {
    const encoder = createRnnEncoder({ preprocess: SMALL_MFCC, ...options });
    const input = tf.input({ shape: [63, 13] });
    const encoded = encoder.build({
      tf,
      input,
      state: { featureSpec: { dtype: 'float32', shape: [63, 13] } },
      name: 'audio',
      seed: 1,
    });
    expect(encoded.kind).toBe('vector');
    expect(encoded.dim).toBe(dim);
    expect(encoded.output.shape).toEqual([null, dim]);
  });
});
