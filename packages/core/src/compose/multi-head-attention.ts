import type * as tfjs from '@tensorflow/tfjs';
import { hashSeed } from '../rng.js';
import type { CustomLayerClass } from './define-layers.js';
import { batchDropout } from './random-state.js';

type Tf = typeof tfjs;
type Tensor = tfjs.Tensor;
type Shape = (number | null)[];

/** Constructor arguments (and saved config) of `customLayers(tf).MultiHeadAttention`. */
export interface MultiHeadAttentionArgs {
  readonly name?: string;
  readonly numHeads: number;
  /** Size of each head's query, key and value projections. */
  readonly keyDim: number;
  /** Seed of the Glorot-uniform initialisers of the query, key, value and output projections. */
  readonly seed: number;
  /** Dropout on the attention weights while training (seeded); default 0. */
  readonly dropout?: number;
  /** Biases on the four projections (as BERT and Keras have); default true. */
  readonly useBias?: boolean;
  readonly trainable?: boolean;
}

export const MULTI_HEAD_ATTENTION_CLASS_NAME = 'OmnifuseMultiHeadAttention';

/** Added to the scores of masked-out keys before the softmax. */
export const MASKED_SCORE = -1e9;

const PROJECTIONS = ['query', 'key', 'value', 'output'] as const;

/**
 * The multi-head attention layer class for a tfjs namespace (unregistered; `customLayers` defines
 * and registers it once per namespace). Inputs `[query [b, Lq, dq], value [b, Lk, dv]]` or
 * `[query, value, keyMask [b, Lk]]` (1 = real key) → `[b, Lq, dq]`: scaled dot-product attention of
 * every head over the value's positions (keys are projected from the value, as in Keras's layer
 * called with two inputs). Self-attention passes the same tensor twice; cross-attention (a fusion
 * attending from one modality to another) passes sequences of different lengths and sizes.
 */
export function defineMultiHeadAttention(tf: Tf): CustomLayerClass<[args: MultiHeadAttentionArgs]> {
  class MultiHeadAttention extends tf.layers.Layer {
    static className = MULTI_HEAD_ATTENTION_CLASS_NAME;
    private readonly numHeads: number;
    private readonly keyDim: number;
    private readonly seed: number;
    private readonly dropout: number;
    private readonly useBias: boolean;
    private kernels: tfjs.LayerVariable[] = [];
    private biases: (tfjs.LayerVariable | null)[] = [];
    private calls = 0;

    constructor(args: MultiHeadAttentionArgs) {
      super({ name: args.name, trainable: args.trainable });
      for (const key of ['numHeads', 'keyDim'] as const) {
        if (!Number.isInteger(args[key]) || args[key] < 1)
          throw new Error(
            `${MULTI_HEAD_ATTENTION_CLASS_NAME}: ${key} must be a positive integer, got ${args[key]}`,
          );
      }
      this.numHeads = args.numHeads;
      this.keyDim = args.keyDim;
      this.seed = args.seed;
      this.dropout = args.dropout ?? 0;
      this.useBias = args.useBias ?? true;
    }

    override build(inputShape: Shape | Shape[]): void {
      const [query, value] = attentionShapes(inputShape);
      const queryDim = lastDim(query, 'query');
      const valueDim = lastDim(value, 'value');
      const inner = this.numHeads * this.keyDim;
      const shapes: Record<(typeof PROJECTIONS)[number], [number, number]> = {
        query: [queryDim, inner],
        key: [valueDim, inner],
        value: [valueDim, inner],
        output: [inner, queryDim],
      };
      for (const label of PROJECTIONS) {
        this.kernels.push(
          this.addWeight(
            `${label}_kernel`,
            shapes[label],
            'float32',
            tf.initializers.glorotUniform({ seed: hashSeed(`${this.seed}:${label}`) }),
          ),
        );
        this.biases.push(
          this.useBias
            ? this.addWeight(`${label}_bias`, [shapes[label][1]], 'float32', tf.initializers.zeros())
            : null,
        );
      }
      this.built = true;
    }

    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      return [...attentionShapes(inputShape)[0]];
    }

    getRandomState(): number {
      return this.calls;
    }

    setRandomState(draws: number): void {
      this.calls = draws;
    }

    override call(inputs: Tensor | Tensor[], kwargs: Record<string, unknown>): Tensor {
      const list = Array.isArray(inputs) ? inputs : [inputs];
      const training = kwargs.training === true;
      return tf.tidy(() => {
        const query = list[0] as tfjs.Tensor3D;
        const value = (list[1] ?? query) as tfjs.Tensor3D;
        const keyMask = list[2] ? tf.cast(list[2], 'float32') : null;
        const [batch, lengthQ, queryDim] = query.shape;
        const lengthK = value.shape[1];
        const heads = this.numHeads;
        const k = this.keyDim;

        // [b, L, d] → [b, heads, L, keyDim]
        const project = (x: tfjs.Tensor3D, i: number) => {
          const [, length, dim] = x.shape;
          let y: Tensor = tf.matMul(
            tf.reshape(x, [batch * length, dim]),
            this.kernels[i]!.read() as tfjs.Tensor2D,
          );
          if (this.biases[i]) y = tf.add(y, this.biases[i]!.read());
          return tf.transpose(tf.reshape(y, [batch, length, heads, k]), [0, 2, 1, 3]) as tfjs.Tensor4D;
        };
        const q = project(query, 0);
        const key = project(value, 1);
        const v = project(value, 2);

        let scores: Tensor = tf.mul(tf.matMul(q, key, false, true), 1 / Math.sqrt(k)); // [b, h, Lq, Lk]
        let weights: Tensor;
        if (keyMask) {
          const mask4 = tf.reshape(keyMask, [batch, 1, 1, lengthK]);
          scores = tf.add(scores, tf.mul(tf.sub(1, mask4), MASKED_SCORE));
          // A row whose keys are all masked softmaxes to a uniform spread over padding: zero it.
          weights = tf.mul(tf.softmax(scores, -1), mask4);
        } else {
          weights = tf.softmax(scores, -1);
        }
        if (training && this.dropout > 0) {
          weights = batchDropout(tf, weights, this.dropout, hashSeed(`${this.seed}:dropout:${this.calls++}`));
        }
        const attended = tf.matMul(weights as tfjs.Tensor4D, v); // [b, h, Lq, k]
        const merged = tf.reshape(tf.transpose(attended, [0, 2, 1, 3]), [batch * lengthQ, heads * k]);
        let out: Tensor = tf.matMul(merged as tfjs.Tensor2D, this.kernels[3]!.read() as tfjs.Tensor2D);
        if (this.biases[3]) out = tf.add(out, this.biases[3]!.read());
        out = tf.reshape(out, [batch, lengthQ, queryDim]);
        if (keyMask) {
          // …and so is the output bias, so an example with no real key outputs zeros.
          const anyKey = tf.reshape(tf.cast(tf.greater(tf.sum(keyMask, 1), 0), 'float32'), [batch, 1, 1]);
          out = tf.mul(out, anyKey);
        }
        return out;
      });
    }

    override getConfig(): tfjs.serialization.ConfigDict {
      return {
        ...super.getConfig(),
        numHeads: this.numHeads,
        keyDim: this.keyDim,
        seed: this.seed,
        dropout: this.dropout,
        useBias: this.useBias,
      };
    }
  }
  return MultiHeadAttention;
}

function attentionShapes(inputShape: Shape | Shape[]): [Shape, Shape] {
  const list = (Array.isArray(inputShape[0]) ? inputShape : [inputShape]) as Shape[];
  const query = list[0]!;
  const value = list[1] ?? query;
  for (const [what, shape] of [
    ['query', query],
    ['value', value],
  ] as const) {
    if (shape.length !== 3)
      throw new Error(
        `${MULTI_HEAD_ATTENTION_CLASS_NAME} needs a [batch, length, dim] ${what}, got ${JSON.stringify(shape)}`,
      );
  }
  if (list[2] && list[2].length !== 2)
    throw new Error(
      `${MULTI_HEAD_ATTENTION_CLASS_NAME} needs a [batch, lengthK] key mask, got ${JSON.stringify(list[2])}`,
    );
  return [query, value];
}

function lastDim(shape: Shape, what: string): number {
  const dim = shape[2];
  if (!dim)
    throw new Error(
      `${MULTI_HEAD_ATTENTION_CLASS_NAME} needs a known ${what} size, got ${JSON.stringify(shape)}`,
    );
  return dim;
}
