import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { defineLayers } from './define-layers.js';

let defined = 0;
const testLayers = defineLayers((ns) => {
  defined++;
  class Doubling extends ns.layers.Layer {
    static className = 'OmnifuseTestDoubling';
    private readonly factor: number;

    constructor(args: { factor?: number; name?: string } = {}) {
      super({ name: args.name });
      this.factor = args.factor ?? 2;
    }

    override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      return ns.mul(x, this.factor);
    }

    override getConfig(): tf.serialization.ConfigDict {
      return { ...super.getConfig(), factor: this.factor };
    }
  }
  return { Doubling };
});

describe('defineLayers', () => {
  it('defines the classes once per tfjs namespace and keeps their static className', () => {
    const first = testLayers(tf);
    expect(testLayers(tf)).toBe(first);
    expect(defined).toBe(1);
    expect(first.Doubling.className).toBe('OmnifuseTestDoubling');
    // The constructor's own argument type comes through.
    expect(new first.Doubling({ factor: 3 }).getClassName()).toBe('OmnifuseTestDoubling');
  });

  it('registers them for serialization, so a saved model reloads with its config', async () => {
    const { Doubling } = testLayers(tf);
    const input = tf.input({ shape: [2] });
    const output = new Doubling({ factor: 3, name: 'double' }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (saved) => {
        artifacts = saved;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const reloaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
    const x = tf.tensor2d([[1, -2]]);
    expect(Array.from((reloaded.predict(x) as tf.Tensor).dataSync())).toEqual([3, -6]);
    expect(reloaded.getLayer('double').getConfig().factor).toBe(3);
  });
});
