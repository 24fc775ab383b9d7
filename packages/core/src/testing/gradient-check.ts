import type * as tfjs from '@tensorflow/tfjs';
import { createRng } from '../rng.js';
import type { Tf } from './tf-helpers.js';

export interface GradientCheckOptions {
  readonly tf: Tf;
  /** A layer (applied to all inputs, or to the one input) or a function of symbolic inputs. */
  readonly build: () => tfjs.layers.Layer | ((inputs: tfjs.SymbolicTensor[]) => tfjs.SymbolicTensor);
  /** Concrete inputs, batch first; their values are the point the gradient is checked at. */
  readonly inputs: readonly tfjs.Tensor[];
  /** Indices of inputs that are not differentiated (masks, ids); their gradients are not compared. */
  readonly constantInputs?: readonly number[];
  /** Central-difference step; default 1e-2. */
  readonly epsilon?: number;
  /** Relative-plus-absolute tolerance, see {@link expectGradientsMatchFiniteDifferences}; default 2e-2. */
  readonly tolerance?: number;
  /** Coordinates sampled per tensor; default 20. */
  readonly samples?: number;
  readonly seed?: number;
}

/**
 * Checks a layer's analytic gradients (tfjs's `grads` for the inputs, `variableGrads` for every
 * trainable weight) against central differences, on the `cpu` backend in float32 and in inference
 * mode. The loss is `sum(output * r)` for a fixed seeded random `r`; for the differences it is summed
 * in float64 from the float32 outputs, so that rounding of the sum adds no error of its own.
 *
 * A coordinate passes when `|analytic - numeric| <= tolerance * (1 + |analytic| + |numeric|)`:
 * float32 outputs carry relative errors near 6e-8, which a step of 1e-2 turns into about 1e-5 per
 * unit of output, and the step's own O(ε²) error is around 1e-4 for smooth layers, so 2e-2 is
 * loose enough for those yet catches a wrong term (which is typically off by O(1)). Non-smooth
 * points (a max within ε of a tie, a mask step) are the caller's to avoid.
 *
 * Throws an Error naming the input or weight and the coordinate of the first mismatches.
 */
export async function expectGradientsMatchFiniteDifferences(options: GradientCheckOptions): Promise<void> {
  const { tf } = options;
  const epsilon = options.epsilon ?? 1e-2;
  const tolerance = options.tolerance ?? 2e-2;
  const samples = options.samples ?? 20;
  const seed = options.seed ?? 97;
  const constant = new Set(options.constantInputs ?? []);
  const previous = tf.getBackend();
  if (previous !== 'cpu' && !(await tf.setBackend('cpu'))) throw new Error('the cpu backend failed to start');
  await tf.ready();
  const symbolic = options.inputs.map((x, i) =>
    tf.input({ shape: x.shape.slice(1), dtype: x.dtype, name: `gradient_check_input_${i}` }),
  );
  const built = options.build();
  const output =
    typeof built === 'function'
      ? built(symbolic)
      : (built.apply(symbolic.length === 1 ? symbolic[0]! : symbolic) as tfjs.SymbolicTensor);
  const model = tf.model({ inputs: symbolic, outputs: output, name: 'gradient_check' });
  // Inputs and weights live in variables (copies), so perturbing them never touches the caller's.
  const inputValues = options.inputs.map((x) => tf.variable(x.clone(), false));
  const failures: string[] = [];
  try {
    const forward = (xs: readonly tfjs.Tensor[]) => model.apply([...xs], { training: false }) as tfjs.Tensor;
    const shape = tf.tidy(() => forward(inputValues).shape);
    const rng = createRng(seed);
    const projection = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal());
    const numericLoss = (): number => {
      const values = tf.tidy(() => forward(inputValues).dataSync());
      let sum = 0;
      for (let i = 0; i < values.length; i++) sum += values[i]! * projection[i]!;
      return sum;
    };
    const analyticLoss = (xs: readonly tfjs.Tensor[]) =>
      tf.sum(tf.mul(tf.cast(forward(xs), 'float32'), tf.tensor(projection, shape))) as tfjs.Scalar;

    const targets: { label: string; variable: tfjs.Variable; grad: Float32Array }[] = [];
    const differentiable = inputValues.map((_, i) => i).filter((i) => !constant.has(i));
    if (differentiable.length > 0) {
      const grads = tf.grads((...xs: tfjs.Tensor[]) =>
        analyticLoss(inputValues.map((v, i) => (constant.has(i) ? v : xs[differentiable.indexOf(i)]!))),
      )(differentiable.map((i) => inputValues[i]!));
      differentiable.forEach((i, k) => {
        targets.push({
          label: `input ${i}`,
          variable: inputValues[i]!,
          grad: grads[k]!.dataSync() as Float32Array,
        });
      });
      tf.dispose(grads);
    }
    const weights = model.trainableWeights;
    if (weights.length > 0) {
      const variables = weights.map((w) => w.read() as tfjs.Variable);
      const { value, grads } = tf.variableGrads(() => analyticLoss(inputValues), variables);
      weights.forEach((w, k) => {
        const grad = grads[variables[k]!.name];
        if (!grad) {
          failures.push(`weight ${w.originalName}: no gradient reaches it`);
          return;
        }
        targets.push({
          label: `weight ${w.originalName}`,
          variable: variables[k]!,
          grad: grad.dataSync() as Float32Array,
        });
      });
      value.dispose();
      tf.dispose(Object.values(grads));
    }

    for (const { label, variable, grad } of targets) {
      const original = variable.dataSync().slice() as Float32Array;
      const coordinates = sampleCoordinates(original.length, samples, rng);
      const evaluateAt = (j: number, delta: number): number => {
        const changed = original.slice();
        changed[j] = original[j]! + delta;
        variable.assign(tf.tensor(changed, variable.shape, variable.dtype));
        return numericLoss();
      };
      for (const j of coordinates) {
        const numeric = (evaluateAt(j, epsilon) - evaluateAt(j, -epsilon)) / (2 * epsilon);
        const analytic = grad[j]!;
        const error = Math.abs(analytic - numeric);
        if (!(error <= tolerance * (1 + Math.abs(analytic) + Math.abs(numeric)))) {
          failures.push(
            `${label} at [${unravel(j, variable.shape).join(', ')}]: analytic ${analytic}, finite difference ${numeric}`,
          );
        }
      }
      variable.assign(tf.tensor(original, variable.shape, variable.dtype));
    }
  } finally {
    tf.dispose(inputValues);
    model.dispose();
    if (previous !== 'cpu') await tf.setBackend(previous);
  }
  if (failures.length > 0) {
    throw new Error(
      `gradients differ from central differences (ε ${epsilon}, tolerance ${tolerance}) at ${failures.length} coordinate(s):\n  ${failures.slice(0, 10).join('\n  ')}`,
    );
  }
}

function sampleCoordinates(size: number, count: number, rng: ReturnType<typeof createRng>): number[] {
  if (size <= count) return Array.from({ length: size }, (_, i) => i);
  const chosen = new Set<number>();
  while (chosen.size < count) chosen.add(Math.floor(rng.next() * size));
  return [...chosen].sort((a, b) => a - b);
}

function unravel(index: number, shape: readonly number[]): number[] {
  const out: number[] = [];
  let rest = index;
  for (let d = shape.length - 1; d >= 0; d--) {
    out.unshift(rest % shape[d]!);
    rest = Math.floor(rest / shape[d]!);
  }
  return out;
}
