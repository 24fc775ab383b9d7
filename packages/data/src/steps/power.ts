import { z } from 'zod';
import { type AnyStep, defineStep, type Rows, valueError } from '../step.js';
import { column, requireRows, standardization } from './scale.js';

/**
 * scipy.optimize.bracket (scipy 1.10): walks downhill from (xa, xb) until f(xa) > f(xb) < f(xc).
 * Ported line by line so the λ found below follows scipy's path, not just its tolerance.
 */
function bracket(f: (x: number) => number, xa0: number, xb0: number) {
  const gold = 1.618034;
  const verySmall = 1e-21;
  const growLimit = 110.0;
  let [xa, xb] = [xa0, xb0];
  let fa = f(xa);
  let fb = f(xb);
  if (fa < fb) {
    [xa, xb] = [xb, xa];
    [fa, fb] = [fb, fa];
  }
  let xc = xb + gold * (xb - xa);
  let fc = f(xc);
  let iter = 0;
  while (fc < fb) {
    const tmp1 = (xb - xa) * (fb - fc);
    const tmp2 = (xb - xc) * (fb - fa);
    const val = tmp2 - tmp1;
    const denom = Math.abs(val) < verySmall ? 2.0 * verySmall : 2.0 * val;
    let w = xb - ((xb - xc) * tmp2 - (xb - xa) * tmp1) / denom;
    const wlim = xb + growLimit * (xc - xb);
    if (iter > 1000) return { xa: Number.NaN, xb: Number.NaN, xc: Number.NaN, fa: fb, fb, fc };
    iter += 1;
    let fw: number;
    if ((w - xc) * (xb - w) > 0.0) {
      fw = f(w);
      if (fw < fc) return { xa: xb, xb: w, xc, fa: fb, fb: fw, fc };
      if (fw > fb) return { xa, xb, xc: w, fa, fb, fc: fw };
      w = xc + gold * (xc - xb);
      fw = f(w);
    } else if ((w - wlim) * (wlim - xc) >= 0.0) {
      w = wlim;
      fw = f(w);
    } else if ((w - wlim) * (xc - w) > 0.0) {
      fw = f(w);
      if (fw < fc) {
        xb = xc;
        xc = w;
        w = xc + gold * (xc - xb);
        fb = fc;
        fc = fw;
        fw = f(w);
      }
    } else {
      w = xc + gold * (xc - xb);
      fw = f(w);
    }
    xa = xb;
    xb = xc;
    xc = w;
    fa = fb;
    fb = fc;
    fc = fw;
  }
  return { xa, xb, xc, fa, fb, fc };
}

/**
 * scipy.optimize.brent (scipy 1.10, `brack=(-2, 2)`, xtol 1.48e-8, 500 iterations): the same
 * golden-section / parabolic steps, so λ matches scipy's and sklearn's to rounding.
 */
export function brentMinimize(f: (x: number) => number, brack: [number, number] = [-2, 2]): number {
  const tol = 1.48e-8;
  const mintol = 1.0e-11;
  const cg = 0.381966;
  const { xa, xb, xc, fb } = bracket(f, brack[0], brack[1]);
  let x = xb;
  let w = xb;
  let v = xb;
  let fx = fb;
  let fw = fb;
  let fv = fb;
  let a = Math.min(xa, xc);
  let b = Math.max(xa, xc);
  let deltax = 0.0;
  let rat = 0.0;
  for (let iter = 0; iter < 500; iter++) {
    const tol1 = tol * Math.abs(x) + mintol;
    const tol2 = 2.0 * tol1;
    const xmid = 0.5 * (a + b);
    if (Math.abs(x - xmid) < tol2 - 0.5 * (b - a)) break;
    if (Math.abs(deltax) <= tol1) {
      deltax = x >= xmid ? a - x : b - x;
      rat = cg * deltax;
    } else {
      const tmp1 = (x - w) * (fx - fv);
      let tmp2 = (x - v) * (fx - fw);
      let p = (x - v) * tmp2 - (x - w) * tmp1;
      tmp2 = 2.0 * (tmp2 - tmp1);
      if (tmp2 > 0.0) p = -p;
      tmp2 = Math.abs(tmp2);
      const dxTemp = deltax;
      deltax = rat;
      if (p > tmp2 * (a - x) && p < tmp2 * (b - x) && Math.abs(p) < Math.abs(0.5 * tmp2 * dxTemp)) {
        rat = p / tmp2;
        const u = x + rat;
        if (u - a < tol2 || b - u < tol2) rat = xmid - x >= 0 ? tol1 : -tol1;
      } else {
        deltax = x >= xmid ? a - x : b - x;
        rat = cg * deltax;
      }
    }
    const u = Math.abs(rat) < tol1 ? (rat >= 0 ? x + tol1 : x - tol1) : x + rat;
    const fu = f(u);
    if (fu > fx) {
      if (u < x) a = u;
      else b = u;
      if (fu <= fw || w === x) {
        v = w;
        w = u;
        fv = fw;
        fw = fu;
      } else if (fu <= fv || v === x || v === w) {
        v = u;
        fv = fu;
      }
    } else {
      if (u >= x) a = x;
      else b = x;
      v = w;
      w = x;
      x = u;
      fv = fw;
      fw = fx;
      fx = fu;
    }
  }
  return x;
}

/**
 * numpy's pairwise summation of a contiguous float64 array (what `np.sum` and `np.var` use on 1-D
 * data): the likelihoods must round like scipy's, or Brent's comparisons take another path.
 */
export function pairwiseSum(values: ArrayLike<number>, start = 0, n = values.length): number {
  if (n < 8) {
    let sum = 0;
    for (let i = start; i < start + n; i++) sum += values[i]!;
    return sum;
  }
  if (n <= 128) {
    const r = [0, 1, 2, 3, 4, 5, 6, 7].map((j) => values[start + j]!);
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j]! += values[start + i + j]!;
    }
    let sum = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!));
    for (; i < n; i++) sum += values[start + i]!;
    return sum;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return pairwiseSum(values, start, half) + pairwiseSum(values, start + half, n - half);
}

/** numpy's `var` (population): mean of squared deviations from the mean, summed pairwise. */
function variance(values: Float64Array): number {
  const mean = pairwiseSum(values) / values.length;
  const squares = values.map((v) => (v - mean) * (v - mean));
  return pairwiseSum(squares) / values.length;
}

/** scipy.special.boxcox. */
export function boxCox(x: number, lambda: number): number {
  return Math.abs(lambda) < 1e-19 ? Math.log(x) : Math.expm1(lambda * Math.log(x)) / lambda;
}

/** The λ maximising scipy.stats.boxcox_llf (what `scipy.stats.boxcox(x)` and sklearn use). */
export function boxCoxLambda(values: readonly number[]): number {
  const n = values.length;
  const data = Float64Array.from(values);
  const logs = data.map(Math.log);
  const sumLog = pairwiseSum(logs);
  const negLogLikelihood = (lambda: number): number => {
    const s2 = lambda === 0 ? variance(logs) : variance(data.map((x) => x ** lambda / lambda));
    return -((lambda - 1) * sumLog - (n / 2) * Math.log(s2));
  };
  return brentMinimize(negLogLikelihood);
}

/** sklearn's `PowerTransformer._yeo_johnson_transform` for one value. */
export function yeoJohnson(x: number, lambda: number): number {
  if (x >= 0) return Math.abs(lambda) < Number.EPSILON ? Math.log1p(x) : ((x + 1) ** lambda - 1) / lambda;
  return Math.abs(lambda - 2) > Number.EPSILON
    ? -((-x + 1) ** (2 - lambda) - 1) / (2 - lambda)
    : -Math.log1p(-x);
}

const TINY = 2.2250738585072014e-308;

/** The λ maximising sklearn's Yeo-Johnson log-likelihood (`_yeo_johnson_optimize`). */
export function yeoJohnsonLambda(values: readonly number[]): number {
  const n = values.length;
  const data = Float64Array.from(values);
  const signedLog = pairwiseSum(data.map((x) => Math.sign(x) * Math.log1p(Math.abs(x))));
  const negLogLikelihood = (lambda: number): number => {
    const s2 = variance(data.map((x) => yeoJohnson(x, lambda)));
    if (s2 < TINY) return Number.POSITIVE_INFINITY;
    return -(-(n / 2) * Math.log(s2) + (lambda - 1) * signedLog);
  };
  return brentMinimize(negLogLikelihood);
}

interface PowerState {
  /** Input column names, for errors at transform time. */
  readonly names: string[];
  readonly lambdas: number[];
  /** Columns that were constant in training: λ is undefined there, so it is fixed at 1. */
  readonly constantColumns: string[];
  /** Standardisation of the transformed columns (absent when `standardize` is false). */
  readonly mean?: number[];
  readonly scale?: number[];
}

const powerOptions = z
  .object({
    /** Standardise the transformed columns to zero mean, unit variance (sklearn's default). */
    standardize: z.boolean().default(true),
  })
  .strict();

type PowerMethod = 'box-cox' | 'yeo-johnson';

function applyPower(method: PowerMethod, rows: Rows, state: PowerState): number[][] {
  const f = method === 'box-cox' ? boxCox : yeoJohnson;
  return rows.map((row, r) =>
    row.map((x, c) => {
      const name = state.names[c] ?? `x${c}`;
      if (method === 'box-cox' && !(x > 0)) {
        throw valueError(method, `Box-Cox needs strictly positive values; found ${x}`, r, name);
      }
      let y = f(x, state.lambdas[c]!);
      if (state.mean && state.scale) y = (y - state.mean[c]!) / state.scale[c]!;
      if (!Number.isFinite(y)) {
        throw valueError(
          method,
          `${method} with λ = ${state.lambdas[c]} overflows at ${x} (result ${y})`,
          r,
          name,
        );
      }
      return y;
    }),
  );
}

function powerStep(method: PowerMethod) {
  return defineStep({
    type: method,
    options: powerOptions,
    fit(rows, options, context): PowerState {
      requireRows(method, rows);
      const names = rows[0]!.map((_, c) => context.featureNames[c] ?? `x${c}`);
      const lambdas: number[] = [];
      const constantColumns: string[] = [];
      for (let c = 0; c < names.length; c++) {
        const values = column(rows, c);
        if (method === 'box-cox') {
          const r = values.findIndex((x) => !(x > 0));
          if (r >= 0) {
            throw valueError(
              method,
              `Box-Cox needs strictly positive values; found ${values[r]} (use yeo-johnson, or log with an offset)`,
              r,
              names[c]!,
            );
          }
        }
        if (values.every((x) => x === values[0])) {
          constantColumns.push(names[c]!);
          lambdas.push(1);
          continue;
        }
        const lambda = method === 'box-cox' ? boxCoxLambda(values) : yeoJohnsonLambda(values);
        if (!Number.isFinite(lambda)) {
          throw valueError(method, `no finite λ maximises the ${method} likelihood`, 0, names[c]!);
        }
        lambdas.push(lambda);
      }
      const base: PowerState = { names, lambdas, constantColumns };
      // Transforming the training rows also surfaces an overflow at fit time, naming the row.
      const transformed = applyPower(method, rows, base);
      return options.standardize ? { ...base, ...standardization(transformed) } : base;
    },
    transform: (rows, state) => applyPower(method, rows, state),
    outputNames: (_state, _options, names) => [...names],
  });
}

/**
 * Box-Cox per column with λ by maximum likelihood, exactly as scipy.stats.boxcox / sklearn's
 * PowerTransformer(method='box-cox'); strictly positive input; standardised by default.
 */
export const boxCoxStep = powerStep('box-cox');
/** Yeo-Johnson per column with λ by maximum likelihood, as sklearn's PowerTransformer (default). */
export const yeoJohnsonStep = powerStep('yeo-johnson');

const logOptions = z
  .object({
    /** Natural log (`'e'`), log2 or log10. */
    base: z.union([z.literal('e'), z.literal(2), z.literal(10)]).default('e'),
    /** Added before taking the log: `log(x + offset)`; x + offset must be > 0. */
    offset: z.number().default(0),
  })
  .strict();

interface NamesState {
  readonly names: string[];
}

function namesOf(rows: Rows, featureNames: readonly string[]): string[] {
  return (rows[0] ?? featureNames).map((_, c) => featureNames[c] ?? `x${c}`);
}

/** `log(x + offset)` in base e, 2 or 10; a value with x + offset ≤ 0 is an error naming its cell. */
export const logStep = defineStep({
  type: 'log',
  options: logOptions,
  fit(rows, options, context): NamesState {
    const state = { names: namesOf(rows, context.featureNames) };
    logStep.transform(rows, state, options);
    return state;
  },
  transform(rows, state, options) {
    const log = options.base === 2 ? Math.log2 : options.base === 10 ? Math.log10 : Math.log;
    return rows.map((row, r) =>
      row.map((x, c) => {
        const shifted = x + options.offset;
        if (!(shifted > 0)) {
          const message =
            options.offset === 0
              ? `log needs values > 0; found ${x}`
              : `log needs x + offset > 0; found x = ${x} (x + ${options.offset} = ${shifted})`;
          throw valueError('log', message, r, state.names[c] ?? `x${c}`);
        }
        return log(shifted);
      }),
    );
  },
  outputNames: (_state, _options, names) => [...names],
});

/** `log(1 + x)`; a value ≤ −1 is an error naming its cell. */
export const log1pStep = defineStep({
  type: 'log1p',
  options: z.object({}).strict(),
  fit(rows, options, context): NamesState {
    const state = { names: namesOf(rows, context.featureNames) };
    log1pStep.transform(rows, state, options);
    return state;
  },
  transform(rows, state) {
    return rows.map((row, r) =>
      row.map((x, c) => {
        if (!(x > -1)) {
          throw valueError('log1p', `log1p needs values > -1; found ${x}`, r, state.names[c] ?? `x${c}`);
        }
        return Math.log1p(x);
      }),
    );
  },
  outputNames: (_state, _options, names) => [...names],
});

export const powerSteps: readonly AnyStep[] = [logStep, log1pStep, boxCoxStep, yeoJohnsonStep];
