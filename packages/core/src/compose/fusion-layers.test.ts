import type * as tfjs from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../rng.js';
import type { FusionInput } from '../spec/fusion.js';
import { loadTf, saveToMemory, type Tf } from '../testing/tf-helpers.js';
import { fusionPresence, fusionVectors, modalityDropoutSchema } from './fusion-helpers.js';
import { customLayers } from './layers.js';

let tf: Tf;
beforeAll(async () => {
  tf = await loadTf({});
});

/** `[n, m]` presences, each 1 with probability `p` (rows may be all zeros). */
function randomPresence(n: number, m: number, p: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n * m }, () => (rng.next() < p ? 1 : 0));
}

function columns(values: Float32Array, n: number, m: number): tfjs.Tensor[] {
  return Array.from({ length: m }, (_, k) =>
    tf.tensor(
      Float32Array.from({ length: n }, (_, row) => values[row * m + k]!),
      [n, 1],
    ),
  );
}

function dropoutModel(m: number, rate: number, seed: number): tfjs.LayersModel {
  const { ModalityDropout } = customLayers(tf);
  const inputs = Array.from({ length: m }, (_, k) => tf.input({ shape: [1], name: `p${k}` }));
  const output = new ModalityDropout({ rate, seed, name: 'md' }).apply(inputs) as tfjs.SymbolicTensor;
  return tf.model({ inputs, outputs: output });
}

/** One training-mode call of the model's ModalityDropout. */
function dropped(model: tfjs.LayersModel, xs: tfjs.Tensor[]): Float32Array {
  return tf.tidy(() => (model.apply(xs, { training: true }) as tfjs.Tensor).dataSync() as Float32Array);
}

describe('ModalityDropout', () => {
  const n = 4000;
  const m = 3;
  const presence = randomPresence(n, m, 0.7, 5);

  it('drops present modalities at about the rate, never all of an example, never a missing one', () => {
    const rate = 0.3;
    const model = dropoutModel(m, rate, 11);
    const xs = columns(presence, n, m);
    const out = dropped(model, xs);
    let present = 0;
    let droppedCount = 0;
    let eligible = 0;
    let keptByGuard = 0;
    for (let row = 0; row < n; row++) {
      const before = presence.subarray(row * m, row * m + m);
      const after = out.subarray(row * m, row * m + m);
      const presentBefore = before.reduce((a, b) => a + b, 0);
      const presentAfter = after.reduce((a, b) => a + b, 0);
      for (let k = 0; k < m; k++) expect(after[k]! <= before[k]!, `row ${row} gains a modality`).toBe(true);
      if (presentBefore > 0)
        expect(presentAfter, `row ${row} lost every present modality`).toBeGreaterThan(0);
      if (presentAfter === presentBefore) keptByGuard++;
      // Rows with several present modalities: the guard rarely applies, so their rate is close to `rate`.
      if (presentBefore === m) {
        eligible += m;
        droppedCount += presentBefore - presentAfter;
      }
      present += presentBefore;
    }
    // Exact expectation for rows with all 3 present: P(all dropped) = rate^3 restores them.
    const expected = rate - rate ** m;
    expect(Math.abs(droppedCount / eligible - expected)).toBeLessThan(0.03);
    expect(present).toBeGreaterThan(0);
    expect(keptByGuard).toBeGreaterThan(0);
    tf.dispose(xs);
  });

  it('is the identity at inference and with rate 0', () => {
    const xs = columns(presence, 50, m);
    const inference = tf.tidy(
      () => (dropoutModel(m, 0.5, 1).predict(xs) as tfjs.Tensor).dataSync() as Float32Array,
    );
    expect([...inference]).toEqual([...presence.subarray(0, 50 * m)]);
    expect([...dropped(dropoutModel(m, 0, 1), xs)]).toEqual([...presence.subarray(0, 50 * m)]);
    tf.dispose(xs);
  });

  it('is seeded: same seed, same sequence of masks; a new mask each call', () => {
    const xs = columns(presence, 200, m);
    const a = dropoutModel(m, 0.4, 3);
    const b = dropoutModel(m, 0.4, 3);
    const a1 = dropped(a, xs);
    const a2 = dropped(a, xs);
    expect([...dropped(b, xs)]).toEqual([...a1]);
    expect([...dropped(b, xs)]).toEqual([...a2]);
    expect([...a2]).not.toEqual([...a1]);
    expect([...dropped(dropoutModel(m, 0.4, 4), xs)]).not.toEqual([...a1]);
    tf.dispose(xs);
  });

  it('takes a single presence', () => {
    const model = dropoutModel(1, 0.5, 1);
    expect(model.outputs[0]!.shape).toEqual([null, 1]);
    const x = tf.tensor([[1], [0], [1]]);
    expect([...dropped(model, [x])]).toEqual([1, 0, 1]);
    x.dispose();
  });

  it('round-trips through a saved topology', async () => {
    const model = dropoutModel(m, 0.25, 9);
    const reloaded = await tf.loadLayersModel(tf.io.fromMemory(await saveToMemory(tf, model)));
    const layer = reloaded.getLayer('md');
    expect(layer.getClassName()).toBe('OmnifuseModalityDropout');
    expect(layer.getConfig()).toMatchObject({ rate: 0.25, seed: 9 });
    const xs = columns(presence, 100, m);
    expect([...dropped(reloaded, xs)]).toEqual([...dropped(dropoutModel(m, 0.25, 9), xs)]);
    tf.dispose(xs);
  });

  it('rejects a rate outside [0, 1)', () => {
    const { ModalityDropout } = customLayers(tf);
    expect(() => new ModalityDropout({ rate: 1, seed: 0 })).toThrow(/rate/);
  });
});

describe('MissingEmbedding', () => {
  const build = (seed: number) => {
    const { MissingEmbedding } = customLayers(tf);
    const vector = tf.input({ shape: [4], name: 'v' });
    const presence = tf.input({ shape: [1], name: 'p' });
    const output = new MissingEmbedding({ seed, name: 'missing' }).apply([
      vector,
      presence,
    ]) as tfjs.SymbolicTensor;
    return tf.model({ inputs: [vector, presence], outputs: output });
  };

  it('passes present vectors through and substitutes the learned vector for missing ones', async () => {
    const model = build(3);
    const [e] = model.getLayer('missing').getWeights();
    expect(e!.shape).toEqual([4]);
    const values = tf.tensor([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ]);
    const presence = tf.tensor([[1], [0]]);
    const out = (model.predict([values, presence]) as tfjs.Tensor).arraySync() as number[][];
    expect(out[0]).toEqual([1, 2, 3, 4]);
    const embedding = [...e!.dataSync()];
    for (const [d, v] of out[1]!.entries()) expect(v).toBeCloseTo(embedding[d]!, 6);
    // Seeded normal with stddev 0.02.
    expect(Math.max(...embedding.map(Math.abs))).toBeLessThan(0.1);
    expect([...build(3).getLayer('missing').getWeights()[0]!.dataSync()]).toEqual(embedding);
    expect([...build(4).getLayer('missing').getWeights()[0]!.dataSync()]).not.toEqual(embedding);
    const reloaded = await tf.loadLayersModel(tf.io.fromMemory(await saveToMemory(tf, model)));
    expect((reloaded.predict([values, presence]) as tfjs.Tensor).arraySync()).toEqual(out);
    tf.dispose([values, presence]);
  });

  it('sends the gradient of missing examples to the embedding, of present ones to the vector', () => {
    const model = build(3);
    const e = model.getLayer('missing').trainableWeights[0]!.read() as tfjs.Variable;
    const values = tf.ones([3, 4]);
    const presence = tf.tensor([[1], [0], [0]]);
    const { grads, value } = tf.variableGrads(
      () => tf.sum(model.apply([values, presence]) as tfjs.Tensor) as tfjs.Scalar,
      [e],
    );
    // Two missing examples, each adding e once.
    expect([...grads[e.name]!.dataSync()]).toEqual([2, 2, 2, 2]);
    const [dv] = tf.grads((v: tfjs.Tensor) => tf.sum(model.apply([v, presence]) as tfjs.Tensor))([values]);
    expect(dv!.arraySync()).toEqual([
      [1, 1, 1, 1],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
    tf.dispose([values, presence, value, dv!, ...Object.values(grads)]);
  });
});

describe('PresenceColumn', () => {
  it('returns one column, and rejects a column out of range', async () => {
    const { PresenceColumn } = customLayers(tf);
    const input = tf.input({ shape: [3], name: 'stacked' });
    const output = new PresenceColumn({ index: 2, name: 'col' }).apply(input) as tfjs.SymbolicTensor;
    expect(output.shape).toEqual([null, 1]);
    const model = tf.model({ inputs: input, outputs: output });
    const x = tf.tensor([
      [1, 0, 1],
      [0, 1, 0],
    ]);
    expect((model.predict(x) as tfjs.Tensor).arraySync()).toEqual([[1], [0]]);
    const reloaded = await tf.loadLayersModel(tf.io.fromMemory(await saveToMemory(tf, model)));
    expect((reloaded.predict(x) as tfjs.Tensor).arraySync()).toEqual([[1], [0]]);
    expect(() => new PresenceColumn({ index: 3 }).apply(input)).toThrow(/column 3/);
    x.dispose();
  });
});

describe('fusion helpers', () => {
  const inputs = (): FusionInput[] => {
    const mask = tf.input({ shape: [5], name: 'mask' });
    return [
      {
        name: 'a',
        modality: 'vector',
        encoded: { kind: 'vector', output: tf.input({ shape: [3], name: 'a' }), dim: 3 },
        presence: tf.input({ shape: [1], name: 'pa' }),
      },
      {
        name: 'b',
        modality: 'text',
        encoded: {
          kind: 'sequence',
          output: tf.input({ shape: [5, 2], name: 'b' }),
          mask,
          length: 5,
          dim: 2,
        },
        presence: tf.input({ shape: [1], name: 'pb' }),
      },
    ];
  };

  it('fusionVectors keeps vectors and mean-pools sequences over their mask', () => {
    const list = inputs();
    const vectors = fusionVectors(tf, list, 'fusion');
    expect(vectors[0]).toBe(list[0]!.encoded.output);
    expect(vectors[1]!.shape).toEqual([null, 2]);
    expect(vectors[1]!.sourceLayer.name).toBe('fusion/pool_1');
  });

  it('fusionPresence concatenates, or drops out and splits per modality', () => {
    const list = inputs();
    const plain = fusionPresence(tf, list, { name: 'fusion', seed: 1, modalityDropout: 0 });
    expect(plain.stacked.shape).toEqual([null, 2]);
    expect(plain.columns).toEqual(list.map((i) => i.presence));
    const one = fusionPresence(tf, list.slice(0, 1), { name: 'one', seed: 1, modalityDropout: 0 });
    expect(one.stacked).toBe(list[0]!.presence);
    const dropping = fusionPresence(tf, list, { name: 'fusion', seed: 1, modalityDropout: 0.2 });
    expect(dropping.stacked.sourceLayer.name).toBe('fusion/modality_dropout');
    expect(dropping.columns.map((c) => [c.sourceLayer.name, c.shape])).toEqual([
      ['fusion/presence_column_0', [null, 1]],
      ['fusion/presence_column_1', [null, 1]],
    ]);
  });

  it('modalityDropoutSchema defaults to 0 and caps at 0.9', () => {
    expect(modalityDropoutSchema.parse(undefined)).toBe(0);
    expect(modalityDropoutSchema.safeParse(0.95).success).toBe(false);
    expect(modalityDropoutSchema.safeParse(-0.1).success).toBe(false);
  });
});
