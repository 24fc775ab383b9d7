import type { OptimizerOptions, TrainingOptions } from '@omnifuse/core';
import * as tf from '@tensorflow/tfjs';

export type OptimizerName = TrainingOptions['optimizer'];

/** Every hyperparameter of an optimiser, defaults filled in. */
export interface ResolvedOptimizerOptions {
  readonly momentum: number;
  readonly nesterov: boolean;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  readonly rho: number;
}

/**
 * Defaults. Adam's and RMSprop's ε and RMSprop's ρ are those of the tfjs optimisers omnifuse used
 * before (so an unchanged spec trains as it did), not PyTorch's (ε 1e-8, alpha 0.99).
 */
export function resolveOptimizerOptions(
  name: OptimizerName,
  options: OptimizerOptions = {},
): ResolvedOptimizerOptions {
  return {
    momentum: options.momentum ?? 0,
    nesterov: options.nesterov ?? false,
    beta1: options.beta1 ?? 0.9,
    beta2: options.beta2 ?? 0.999,
    epsilon: options.epsilon ?? 1e-7,
    weightDecay: options.weightDecay ?? (name === 'adamw' ? 0.01 : 0),
    rho: options.rho ?? 0.9,
  };
}

/** Optimiser state as plain data: the step count and, per variable, its slot tensors in order. */
export interface OptimizerState {
  readonly step: number;
  readonly slots: readonly (readonly tf.Tensor[])[];
}

/**
 * An optimiser whose update is PyTorch's (`torch.optim.SGD`, `Adam`, `AdamW`, `RMSprop`, single
 * tensor path), with the learning rate given per step so schedules need no hidden state, and its
 * whole state readable and writable for checkpoints.
 */
export interface TrainerOptimizer {
  readonly name: OptimizerName;
  readonly options: ResolvedOptimizerOptions;
  /** Steps taken so far. */
  readonly iterations: number;
  /**
   * One update of `variables[i]` by `gradients[i]` (null: no gradient, left alone) at rate `lr`,
   * times `lrScales[i]` when given (param groups; see `paramGroupScales`).
   */
  step(
    variables: readonly tf.Variable[],
    gradients: readonly (tf.Tensor | null)[],
    lr: number,
    lrScales?: readonly number[],
  ): void;
  /** Copies of the state, for a checkpoint; the caller disposes the tensors. */
  getState(): OptimizerState;
  /** Replaces the state with the tensors' values; the caller still owns (and disposes) them. */
  setState(state: OptimizerState): void;
  dispose(): void;
}

/** Slots per variable: sgd 1 (momentum buffer), adam/adamw 2 (moments), rmsprop 2 (square avg, buffer). */
const SLOTS: Record<OptimizerName, number> = { sgd: 1, adam: 2, adamw: 2, rmsprop: 2 };

export function createOptimizer(name: OptimizerName, options?: OptimizerOptions): TrainerOptimizer {
  const o = resolveOptimizerOptions(name, options);
  let iterations = 0;
  // slots[i] is null until variable i's first update.
  let slots: (tf.Variable[] | null)[] = [];

  const slotsOf = (i: number, like: tf.Tensor): tf.Variable[] => {
    let own = slots[i];
    if (!own) {
      own = Array.from({ length: SLOTS[name] }, () => tf.variable(tf.zerosLike(like), false));
      slots[i] = own;
    }
    return own;
  };

  const update = (i: number, w: tf.Variable, gradient: tf.Tensor, lr: number, step: number): void => {
    const s = slotsOf(i, w);
    // torch's coupled weight decay (sgd, adam, rmsprop): d_p = grad + λ·w, on every weight.
    const g = name !== 'adamw' && o.weightDecay > 0 ? tf.add(gradient, tf.mul(w, o.weightDecay)) : gradient;
    if (name === 'sgd') {
      let direction = g;
      if (o.momentum !== 0) {
        // torch: buf = g on the first step, else momentum·buf + g (no dampening).
        const buf = step === 1 ? g.clone() : tf.add(tf.mul(s[0]!, o.momentum), g);
        s[0]!.assign(buf);
        direction = o.nesterov ? tf.add(g, tf.mul(buf, o.momentum)) : buf;
      }
      w.assign(tf.sub(w, tf.mul(direction, lr)));
      return;
    }
    if (name === 'rmsprop') {
      const squareAvg = tf.add(tf.mul(s[0]!, o.rho), tf.mul(tf.mul(g, g), 1 - o.rho));
      s[0]!.assign(squareAvg);
      const avg = tf.add(tf.sqrt(squareAvg), o.epsilon);
      if (o.momentum > 0) {
        const buf = tf.add(tf.mul(s[1]!, o.momentum), tf.div(g, avg));
        s[1]!.assign(buf);
        w.assign(tf.sub(w, tf.mul(buf, lr)));
      } else {
        w.assign(tf.sub(w, tf.mul(tf.div(g, avg), lr)));
      }
      return;
    }
    // adam / adamw. Decoupled decay first (torch.optim.AdamW), on kernels only.
    const decayed =
      name === 'adamw' && o.weightDecay > 0 && w.rank >= 2 ? tf.mul(w, 1 - lr * o.weightDecay) : w;
    // torch: exp_avg.lerp_(g, 1 − β1), i.e. m + (1 − β1)(g − m).
    const m = tf.add(s[0]!, tf.mul(tf.sub(g, s[0]!), 1 - o.beta1));
    const v = tf.add(tf.mul(s[1]!, o.beta2), tf.mul(tf.mul(g, g), 1 - o.beta2));
    s[0]!.assign(m);
    s[1]!.assign(v);
    const bias1 = 1 - o.beta1 ** step;
    const bias2Sqrt = Math.sqrt(1 - o.beta2 ** step);
    const denom = tf.add(tf.div(tf.sqrt(v), bias2Sqrt), o.epsilon);
    w.assign(tf.sub(decayed, tf.mul(tf.div(m, denom), lr / bias1)));
  };

  return {
    name,
    options: o,
    get iterations() {
      return iterations;
    },
    step(variables, gradients, lr, lrScales) {
      iterations++;
      tf.tidy(() => {
        variables.forEach((w, i) => {
          const g = gradients[i];
          if (g) update(i, w, g, lr * (lrScales?.[i] ?? 1), iterations);
        });
      });
    },
    getState() {
      return {
        step: iterations,
        slots: slots.map((own) => (own ? own.map((t) => t.clone()) : [])),
      };
    },
    setState(state) {
      disposeSlots();
      iterations = state.step;
      // A variable shares the tensor's data, which outlives the caller's dispose of the tensor.
      slots = state.slots.map((own) => (own.length === 0 ? null : own.map((t) => tf.variable(t, false))));
    },
    dispose: disposeSlots,
  };

  function disposeSlots(): void {
    for (const own of slots) if (own) tf.dispose(own);
    slots = [];
  }
}
