import { Matrix, solve } from 'ml-matrix';
import { minimizeLbfgs } from './optimize.js';

/** A linear model: `scores = weights · x + intercept` (one row of weights per output). */
export interface LinearModel {
  readonly weights: number[][];
  readonly intercept: number[];
}

/**
 * Ridge regression, `min ‖y − Xw − b‖² + λ‖w‖²` with an unpenalised intercept — scikit-learn's
 * `Ridge(alpha=λ)`. Solved exactly on centred data (ml-matrix).
 */
export function fitRidge(
  x: readonly (readonly number[])[],
  y: readonly number[],
  lambda: number,
): LinearModel {
  const n = x.length;
  const d = x[0]?.length ?? 0;
  const xMean = Array.from({ length: d }, (_, j) => x.reduce((s, row) => s + row[j]!, 0) / n);
  const yMean = y.reduce((s, v) => s + v, 0) / n;
  const xc = new Matrix(x.map((row) => row.map((v, j) => v - xMean[j]!)));
  const yc = Matrix.columnVector(y.map((v) => v - yMean));
  const xt = xc.transpose();
  const gram = xt.mmul(xc);
  for (let j = 0; j < d; j++) gram.set(j, j, gram.get(j, j) + lambda);
  const w = solve(gram, xt.mmul(yc), lambda === 0).getColumn(0);
  const b = yMean - w.reduce((s, wj, j) => s + wj * xMean[j]!, 0);
  return { weights: [w], intercept: [b] };
}

/**
 * Multinomial logistic regression, `min Σ −log softmax(Wx + b)[y] + λ/2 ‖W‖²` with an unpenalised
 * intercept — scikit-learn's `LogisticRegression(C=1/λ, multi_class='multinomial')`. Fitted by
 * L-BFGS; the intercepts sum to zero (the softmax is invariant to a common shift).
 */
export function fitLogistic(
  x: readonly (readonly number[])[],
  labels: readonly number[],
  classes: number,
  lambda: number,
): LinearModel {
  const n = x.length;
  const d = x[0]?.length ?? 0;
  const k = classes;
  const objective = (theta: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    let loss = 0;
    const scores = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      const row = x[i]!;
      let max = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < k; c++) {
        let s = theta[k * d + c]!;
        for (let j = 0; j < d; j++) s += theta[c * d + j]! * row[j]!;
        scores[c] = s;
        if (s > max) max = s;
      }
      let sum = 0;
      for (let c = 0; c < k; c++) sum += Math.exp(scores[c]! - max);
      const logSum = max + Math.log(sum);
      loss += logSum - scores[labels[i]!]!;
      for (let c = 0; c < k; c++) {
        const residual = Math.exp(scores[c]! - logSum) - (c === labels[i] ? 1 : 0);
        for (let j = 0; j < d; j++) grad[c * d + j] += residual * row[j]!;
        grad[k * d + c] += residual;
      }
    }
    for (let p = 0; p < k * d; p++) {
      loss += 0.5 * lambda * theta[p]! * theta[p]!;
      grad[p] += lambda * theta[p]!;
    }
    return loss;
  };
  const { x: theta } = minimizeLbfgs(objective, new Float64Array(k * (d + 1)), {
    maxIterations: 2000,
    tolerance: 1e-9,
  });
  const weights = Array.from({ length: k }, (_, c) => Array.from(theta.subarray(c * d, c * d + d)));
  const raw = Array.from(theta.subarray(k * d));
  const shift = raw.reduce((s, v) => s + v, 0) / k;
  return { weights, intercept: raw.map((v) => v - shift) };
}

/** `weights · x + intercept` for one input. */
export function linearScores(model: LinearModel, x: readonly number[]): number[] {
  return model.weights.map((w, c) => w.reduce((s, wj, j) => s + wj * x[j]!, model.intercept[c]!));
}

/** Softmax of scores (numerically stable). */
export function softmax(scores: readonly number[]): number[] {
  const max = Math.max(...scores);
  const e = scores.map((s) => Math.exp(s - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}
