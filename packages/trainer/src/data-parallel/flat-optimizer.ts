import * as tf from '@tensorflow/tfjs';
import type { ResolvedOptimizerOptions, TrainerOptimizer } from '../optimizers.js';

/** Slots per variable, as `createOptimizer` keeps them. */
const SLOTS = { sgd: 1, adam: 2, adamw: 2, rmsprop: 2 } as const;

/**
 * `createOptimizer`'s update rules, term for term, on plain Float32Arrays: the data-parallel
 * trainer applies them to the shared weights on the calling thread in one pass per weight (no tfjs
 * op per term), and hands the state back to the tfjs optimiser for checkpoints. Sums run in float64;
 * results are stored as float32, as the tfjs ops' are.
 */
export class FlatOptimizer {
  private readonly options: ResolvedOptimizerOptions;
  private readonly name: TrainerOptimizer['name'];
  private iterations: number;
  /** Per variable: its slots, or null until its first update (as in `createOptimizer`). */
  private readonly slots: (Float32Array[] | null)[];

  private constructor(optimizer: TrainerOptimizer, slots: (Float32Array[] | null)[], iterations: number) {
    this.options = optimizer.options;
    this.name = optimizer.name;
    this.slots = slots;
    this.iterations = iterations;
  }

  /** The optimiser's current state (after a resume: the checkpoint's), as arrays. */
  static async from(optimizer: TrainerOptimizer, sizes: readonly number[]): Promise<FlatOptimizer> {
    const state = optimizer.getState();
    try {
      const slots: (Float32Array[] | null)[] = [];
      for (let i = 0; i < sizes.length; i++) {
        const own = state.slots[i] ?? [];
        slots.push(
          own.length === 0
            ? null
            : await Promise.all(own.map(async (t) => Float32Array.from(await t.data()))),
        );
      }
      return new FlatOptimizer(optimizer, slots, state.step);
    } finally {
      tf.dispose(state.slots.flat());
    }
  }

  /** Writes the state into the tfjs optimiser (for checkpoints and the end of training). */
  storeInto(optimizer: TrainerOptimizer, shapes: readonly (readonly number[])[]): void {
    const slots = this.slots.map((own, i) =>
      own ? own.map((data) => tf.tensor(data, shapes[i] as number[], 'float32')) : [],
    );
    try {
      optimizer.setState({ step: this.iterations, slots });
    } finally {
      tf.dispose(slots.flat());
    }
  }

  /**
   * One update of each weight (a view into the shared weights) by its gradient (null: left alone) at
   * rate `lr` times `lrScales[i]`; `ranks[i]` decides AdamW's decay (kernels only, rank ≥ 2).
   */
  step(
    weights: readonly Float32Array[],
    gradients: readonly (Float32Array | null)[],
    ranks: readonly number[],
    lr: number,
    lrScales?: readonly number[],
  ): void {
    this.iterations++;
    const step = this.iterations;
    weights.forEach((w, i) => {
      const g = gradients[i];
      if (!g) return;
      let s = this.slots[i];
      if (!s) {
        s = Array.from({ length: SLOTS[this.name] }, () => new Float32Array(w.length));
        this.slots[i] = s;
      }
      this.update(w, g, s, lr * (lrScales?.[i] ?? 1), step, ranks[i]!);
    });
  }

  private update(
    w: Float32Array,
    gradient: Float32Array,
    s: Float32Array[],
    lr: number,
    step: number,
    rank: number,
  ): void {
    const o = this.options;
    const n = w.length;
    // torch's coupled weight decay (sgd, adam, rmsprop): d_p = grad + λ·w, on every weight.
    let g = gradient;
    if (this.name !== 'adamw' && o.weightDecay > 0) {
      g = new Float32Array(n);
      for (let j = 0; j < n; j++) g[j] = gradient[j]! + w[j]! * o.weightDecay;
    }
    if (this.name === 'sgd') {
      const buf = s[0]!;
      for (let j = 0; j < n; j++) {
        let direction = g[j]!;
        if (o.momentum !== 0) {
          // torch: buf = g on the first step, else momentum·buf + g (no dampening).
          buf[j] = step === 1 ? g[j]! : buf[j]! * o.momentum + g[j]!;
          direction = o.nesterov ? g[j]! + buf[j]! * o.momentum : buf[j]!;
        }
        w[j] = w[j]! - direction * lr;
      }
      return;
    }
    if (this.name === 'rmsprop') {
      const [square, buf] = s as [Float32Array, Float32Array];
      for (let j = 0; j < n; j++) {
        const gj = g[j]!;
        square[j] = square[j]! * o.rho + gj * gj * (1 - o.rho);
        const avg = Math.sqrt(square[j]!) + o.epsilon;
        if (o.momentum > 0) {
          buf[j] = buf[j]! * o.momentum + gj / avg;
          w[j] = w[j]! - buf[j]! * lr;
        } else {
          w[j] = w[j]! - (gj / avg) * lr;
        }
      }
      return;
    }
    // adam / adamw: decoupled decay first (torch.optim.AdamW), on kernels only.
    const [m, v] = s as [Float32Array, Float32Array];
    const decay = this.name === 'adamw' && o.weightDecay > 0 && rank >= 2 ? 1 - lr * o.weightDecay : 1;
    const bias1 = 1 - o.beta1 ** step;
    const bias2Sqrt = Math.sqrt(1 - o.beta2 ** step);
    const rate = lr / bias1;
    for (let j = 0; j < n; j++) {
      const gj = g[j]!;
      m[j] = m[j]! + (gj - m[j]!) * (1 - o.beta1);
      v[j] = v[j]! * o.beta2 + gj * gj * (1 - o.beta2);
      const denom = Math.sqrt(v[j]!) / bias2Sqrt + o.epsilon;
      w[j] = w[j]! * decay - (m[j]! / denom) * rate;
    }
  }
}

/**
 * Scales the gradients in place so that their global L2 norm is at most `maxNorm`, as
 * `clipByGlobalNorm` does (min(maxNorm / (norm + 1e-6), 1)); returns the norm before.
 */
export function clipFlatByGlobalNorm(gradients: readonly (Float32Array | null)[], maxNorm: number): number {
  let sum = 0;
  for (const g of gradients) if (g) for (let j = 0; j < g.length; j++) sum += g[j]! * g[j]!;
  const norm = Math.sqrt(sum);
  const scale = Math.min(maxNorm / (norm + 1e-6), 1);
  if (scale < 1) for (const g of gradients) if (g) for (let j = 0; j < g.length; j++) g[j] = g[j]! * scale;
  return norm;
}
