import { POSITION_EMBEDDING_CLASS_NAME } from '@omnifuse/core';
import { describeEncoderConformance } from '@omnifuse/core/testing';
import { describeWithData } from '@omnifuse/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AUDIO_SELF_ATTENTION_CLASS_NAME, audioLayers } from './audio-layers.js';
import { BAD_AUDIO_INPUTS, fsddSamples, SMALL_LOGMEL } from './test-samples.js';
import { createTransformerEncoder, transformerEncoderPlugin } from './transformer.js';

const SMALL = { preprocess: SMALL_LOGMEL, dim: 16, blocks: 1, ffDim: 32 } as const;

describeWithData(['fsdd', 'recordings'], 'audio:transformer on FSDD clips', () => {
  describeEncoderConformance('audio:transformer', {
    plugin: transformerEncoderPlugin,
    options: SMALL,
    samples: fsddSamples(),
    badInputs: BAD_AUDIO_INPUTS,
    invalidOptions: [{ dim: 0 }, { blocks: -1 }, { heads: 4 }, { preprocess: { crop: 'random' } }],
  });
});

describe('audio:transformer', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('outputs one embedded frame per spectrogram frame, unmasked', async () => {
    const encoder = createTransformerEncoder({ ...SMALL, blocks: 2 });
    const state = await encoder.fit([], { field: 'audio', readMedia: async () => new Uint8Array() });
    expect(state.featureSpec).toEqual({ dtype: 'float32', shape: [63, 20] });
    const input = tf.input({ shape: [63, 20] });
    const encoded = encoder.build({ tf, input, state, name: 'audio', seed: 1 });
    expect(encoded).toMatchObject({ kind: 'sequence', mask: null, length: 63, dim: 16 });
    expect(encoded.output.shape).toEqual([null, 63, 16]);
    const model = tf.model({ inputs: input, outputs: encoded.output });
    const classes = model.layers.map((l) => l.getClassName());
    expect(classes.filter((c) => c === AUDIO_SELF_ATTENTION_CLASS_NAME)).toHaveLength(2);
    expect(classes).toContain(POSITION_EMBEDDING_CLASS_NAME);
    model.dispose();
  });

  it('defines and registers the custom layers once per namespace', () => {
    expect(audioLayers(tf)).toBe(audioLayers(tf));
  });

  it('attends: each output frame mixes the values of every frame', () => {
    const { SelfAttention } = audioLayers(tf);
    const layer = new SelfAttention({ seed: 3 });
    const x = tf.randomNormal([1, 5, 4], 0, 1, 'float32', 7);
    const changed = x.arraySync() as number[][][];
    changed[0]![4] = [9, 9, 9, 9];
    const before = layer.apply(x) as tf.Tensor;
    const after = layer.apply(tf.tensor(changed)) as tf.Tensor;
    // Changing the last frame moves the first frame's output too.
    const first = tf.sub(before.slice([0, 0, 0], [1, 1, 4]), after.slice([0, 0, 0], [1, 1, 4]));
    expect(tf.max(tf.abs(first)).dataSync()[0]).toBeGreaterThan(1e-4);
  });
});
