import { z } from 'zod';
import { inputError, parseOptions } from '../errors.js';
import { fitLogistic, fitRidge, type LinearModel, linearScores, softmax } from './linear-models.js';

/**
 * Per source, its prediction for each row: a number (regression), a probability vector, or a class
 * label (one-hot encoded over the target's classes). `NaN`/`null` = the source had none for that row.
 */
export type SourcePredictions = Readonly<
  Record<string, readonly (number | string | null | undefined | readonly number[])[]>
>;
export type Label = string | number;

const stackOptions = z.strictObject({
  folds: z.number().int().min(2).default(5),
  seed: z.number().int().default(42),
  /** `logistic` (classification) or `ridge` (regression); default from the target: strings ⇒ logistic. */
  metaModel: z.enum(['logistic', 'ridge']).optional(),
  /** L2 strength (logistic: 1/C); when absent it is chosen by out-of-fold score from `lambdas`. */
  lambda: z.number().nonnegative().optional(),
  lambdas: z.array(z.number().nonnegative()).min(1).default([0.001, 0.01, 0.1, 1, 10, 100]),
});
export type StackOptions = z.input<typeof stackOptions>;

/** The fitted stacker as plain JSON (`JSON.stringify` it; `loadStacker` gives back `predict`). */
export interface StackerJson {
  readonly type: 'stacker';
  readonly version: 1;
  readonly metaModel: 'logistic' | 'ridge';
  readonly sources: string[];
  /** Input width per source (1 for numbers; the class count for labels). */
  readonly widths: number[];
  /** Whether each source gave labels (one-hot encoded) rather than numbers/vectors. */
  readonly labelInputs: boolean[];
  readonly classes?: Label[];
  /** Training mean of each input column, used for a source's missing value. */
  readonly fill: number[];
  readonly model: LinearModel;
  readonly lambda: number;
  /**
   * Out-of-fold evaluation: the stacker (all rows) vs each source alone on the rows where it has a
   * value (accuracy, or RMSE for ridge; `null` when a source's output is not comparable).
   */
  readonly cv: {
    readonly metric: 'accuracy' | 'rmse';
    readonly folds: number;
    readonly stacker: number;
    readonly perSource: Record<string, number | null>;
    readonly filledInputs: number;
    /** Out-of-fold predictions of the stacker, one per training row. */
    readonly outOfFold: Label[];
  };
}

export interface Stacker extends StackerJson {
  /** Predictions for rows given per source (same shape as for fitting). */
  predict(perSource: SourcePredictions): Label[];
  /** Class probabilities per row (logistic only). */
  predictProba(perSource: SourcePredictions): number[][];
  /** One row from `{ source: value }` (absent sources use the training mean). */
  predictOne(inputs: Readonly<Record<string, unknown>>): Label;
}

/**
 * Model-based fusion by stacking: learns how much to trust each source's prediction from rows whose
 * true value is known. The L2 strength is chosen by k-fold out-of-fold score (seeded folds); the
 * reported `cv` compares the stacker's out-of-fold score with each source alone; the final
 * meta-model is then fitted on all rows.
 */
export function stackPredictions(
  perSource: SourcePredictions,
  target: readonly Label[],
  options: StackOptions = {},
): Stacker {
  const step = 'stackPredictions';
  const o = parseOptions(step, stackOptions, options);
  const sources = Object.keys(perSource);
  if (sources.length === 0) throw inputError(step, 'no sources given');
  const n = target.length;
  const metaModel = o.metaModel ?? (target.some((t) => typeof t === 'string') ? 'logistic' : 'ridge');
  if (n < o.folds)
    throw inputError(step, `${n} rows are fewer than ${o.folds} folds`, { expected: o.folds, found: n });
  let classes: Label[] | undefined;
  let labels: number[] = [];
  if (metaModel === 'logistic') {
    classes = [...new Set(target)].sort((a, b) =>
      String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0,
    );
    if (classes.length < 2) throw inputError(step, 'the target has a single class');
    labels = target.map((t) => classes!.indexOf(t));
  } else {
    target.forEach((t, i) => {
      if (typeof t !== 'number' || !Number.isFinite(t))
        throw inputError(step, `target is ${String(t)}; ridge needs numbers`, { record: i });
    });
  }
  // encode inputs
  const widths: number[] = [];
  const labelInputs: boolean[] = [];
  for (const source of sources) {
    const values = perSource[source]!;
    if (values.length !== n) {
      throw inputError(step, `source "${source}" has ${values.length} rows; the target has ${n}`, {
        field: source,
        expected: n,
        found: values.length,
      });
    }
    const first = values.find(
      (v) => v !== null && v !== undefined && !(typeof v === 'number' && Number.isNaN(v)),
    );
    const isLabel = typeof first === 'string' || (metaModel === 'logistic' && typeof first === 'number');
    if (isLabel && !classes)
      throw inputError(step, `source "${source}" gives labels; ridge needs numbers`, { field: source });
    labelInputs.push(isLabel);
    widths.push(isLabel ? classes!.length : Array.isArray(first) ? first.length : 1);
  }
  const layout = { sources, widths, labelInputs, classes };
  const encodeRow = (get: (source: string) => unknown, row: number): { x: number[]; filled: number } =>
    encodeSources(layout, get, row, step);
  const encoded = target.map((_, i) => encodeRow((source) => perSource[source]![i], i));
  const d = encoded[0]!.x.length;
  const fill = Array.from({ length: d }, (_, j) => {
    const present = encoded.map((e) => e.x[j]!).filter((v) => !Number.isNaN(v));
    return present.length ? present.reduce((a, b) => a + b, 0) / present.length : 0;
  });
  const filledInputs = encoded.reduce((s, e) => s + e.filled, 0);
  const x = encoded.map((e) => e.x.map((v, j) => (Number.isNaN(v) ? fill[j]! : v)));
  const numericTarget = target as number[];

  const fit = (rows: number[], lambda: number): LinearModel =>
    metaModel === 'logistic'
      ? fitLogistic(
          rows.map((i) => x[i]!),
          rows.map((i) => labels[i]!),
          classes!.length,
          lambda,
        )
      : fitRidge(
          rows.map((i) => x[i]!),
          rows.map((i) => numericTarget[i]!),
          lambda,
        );
  const predictRow = (model: LinearModel, row: readonly number[]): Label => {
    const scores = linearScores(model, row);
    if (metaModel === 'ridge') return scores[0]!;
    let best = 0;
    for (let c = 1; c < scores.length; c++) if (scores[c]! > scores[best]!) best = c;
    return classes![best]!;
  };
  // accuracy or RMSE of predictions for `rows` (default: all rows, in order)
  const score = (predicted: readonly Label[], rows?: readonly number[]): number => {
    const truthOf = (k: number): Label => target[rows ? rows[k]! : k]!;
    return metaModel === 'logistic'
      ? predicted.filter((p, k) => p === truthOf(k)).length / predicted.length
      : Math.sqrt(
          predicted.reduce<number>((s, p, k) => s + ((p as number) - (truthOf(k) as number)) ** 2, 0) /
            predicted.length,
        );
  };
  const better = (a: number, b: number): boolean => (metaModel === 'logistic' ? a > b : a < b);

  const foldOf = shuffledFolds(n, o.folds, o.seed);
  const outOfFold = (lambda: number): Label[] => {
    const predicted = new Array<Label>(n);
    for (let f = 0; f < o.folds; f++) {
      const train = foldOf.flatMap((k, i) => (k === f ? [] : [i]));
      const model = fit(train, lambda);
      foldOf.forEach((k, i) => {
        if (k === f) predicted[i] = predictRow(model, x[i]!);
      });
    }
    return predicted;
  };
  let lambda = o.lambda ?? o.lambdas[0]!;
  let oof = outOfFold(lambda);
  let best = score(oof);
  if (o.lambda === undefined) {
    for (const candidate of o.lambdas.slice(1)) {
      const predicted = outOfFold(candidate);
      const s = score(predicted);
      if (better(s, best)) [lambda, oof, best] = [candidate, predicted, s];
    }
  }
  // each source alone, scored on the rows where it has a value (filled rows would flatter nobody)
  const perSourceScore: Record<string, number | null> = {};
  sources.forEach((source, s) => {
    const offset = widths.slice(0, s).reduce((a, b) => a + b, 0);
    const rows = encoded.flatMap((e, i) => (Number.isNaN(e.x[offset]!) ? [] : [i]));
    const comparable = metaModel === 'ridge' ? widths[s] === 1 : widths[s] === classes!.length;
    if (!comparable || rows.length === 0) {
      perSourceScore[source] = null;
      return;
    }
    const own = rows.map((i) => {
      const part = x[i]!.slice(offset, offset + widths[s]!);
      return metaModel === 'ridge' ? part[0]! : classes![part.indexOf(Math.max(...part))]!;
    });
    perSourceScore[source] = score(own, rows);
  });
  const json: StackerJson = {
    type: 'stacker',
    version: 1,
    metaModel,
    sources,
    widths,
    labelInputs,
    ...(classes ? { classes } : {}),
    fill,
    model: fit(
      Array.from({ length: n }, (_, i) => i),
      lambda,
    ),
    lambda,
    cv: {
      metric: metaModel === 'logistic' ? 'accuracy' : 'rmse',
      folds: o.folds,
      stacker: best,
      perSource: perSourceScore,
      filledInputs,
      outOfFold: oof,
    },
  };
  return loadStacker(json);
}

/**
 * One row of the meta-model's input: each source's value one-hot (labels) or as its numbers, a
 * missing value as `fill` (the training means) or NaN before those are known. Counts the gaps.
 */
function encodeSources(
  layout: {
    readonly sources: readonly string[];
    readonly widths: readonly number[];
    readonly labelInputs: readonly boolean[];
    readonly classes: readonly Label[] | null | undefined;
  },
  get: (source: string) => unknown,
  row: number | string,
  step: string,
  fill?: readonly number[],
): { x: number[]; filled: number } {
  const { sources, widths, labelInputs, classes } = layout;
  const x: number[] = [];
  let filled = 0;
  sources.forEach((source, s) => {
    const value = get(source);
    const width = widths[s]!;
    const offset = x.length;
    if (value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value))) {
      filled++;
      for (let c = 0; c < width; c++) x.push(fill ? fill[offset + c]! : Number.NaN);
    } else if (labelInputs[s]) {
      const index = classes!.indexOf(value as Label);
      if (index < 0) {
        throw inputError(step, `unknown class ${JSON.stringify(value)}`, {
          record: row,
          field: source,
          expected: classes,
        });
      }
      for (let c = 0; c < width; c++) x.push(c === index ? 1 : 0);
    } else {
      const vector = Array.isArray(value) ? (value as number[]) : [value as number];
      if (vector.length !== width || vector.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
        throw inputError(step, `value ${JSON.stringify(value)} is not ${width} finite number(s)`, {
          record: row,
          field: source,
        });
      }
      x.push(...vector);
    }
  });
  return { x, filled };
}

/** Restores a stacker from its JSON (e.g. after `JSON.parse`), with its predict functions. */
export function loadStacker(json: StackerJson): Stacker {
  if (json?.type !== 'stacker' || json.version !== 1) {
    throw inputError('loadStacker', 'not a stacker saved by stackPredictions (type "stacker", version 1)', {
      found: json?.type,
    });
  }
  const { sources, widths, labelInputs, classes, fill, model, metaModel } = json;
  const encode = (get: (source: string) => unknown, row: number | string): number[] =>
    encodeSources({ sources, widths, labelInputs, classes }, get, row, 'stacker.predict', fill).x;
  const rowsOf = (perSource: SourcePredictions): number[][] => {
    for (const source of sources) {
      if (!(source in perSource))
        throw inputError('stacker.predict', `source "${source}" is missing`, {
          field: source,
          expected: sources,
        });
    }
    const n = perSource[sources[0]!]!.length;
    return Array.from({ length: n }, (_, i) => encode((source) => perSource[source]![i], i));
  };
  const predictX = (x: number[]): Label => {
    const scores = linearScores(model, x);
    if (metaModel === 'ridge') return scores[0]!;
    return classes![scores.indexOf(Math.max(...scores))]!;
  };
  return {
    ...json,
    predict: (perSource) => rowsOf(perSource).map(predictX),
    predictProba: (perSource) => {
      if (metaModel !== 'logistic')
        throw inputError('stacker.predictProba', 'a ridge stacker has no class probabilities');
      return rowsOf(perSource).map((x) => softmax(linearScores(model, x)));
    },
    predictOne: (inputs) => predictX(encode((source) => inputs[source], 0)),
  };
}

/** Fold index per row: a seeded shuffle dealt round-robin, so fold sizes differ by at most one. */
function shuffledFolds(n: number, folds: number, seed: number): number[] {
  let state = seed >>> 0 || 1;
  const random = (): number => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const foldOf = new Array<number>(n);
  order.forEach((row, position) => {
    foldOf[row] = position % folds;
  });
  return foldOf;
}
