import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { backendChoiceSchema } from './backend-names.js';
import { ErrorCode, OmnifuseError } from './errors.js';

const ratios = z
  .object({
    train: z.number().min(0).max(1),
    validation: z.number().min(0).max(1).default(0),
    test: z.number().min(0).max(1).default(0),
  })
  .strict()
  .refine((r) => Math.abs(r.train + r.validation + r.test - 1) < 1e-6, {
    message: 'split ratios must add up to 1',
  });

export const splitSpecSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('random'), ratios, seed: z.number().int().default(42) }).strict(),
  z
    .object({
      type: z.literal('stratified'),
      by: z.string().min(1),
      ratios,
      seed: z.number().int().default(42),
    })
    .strict(),
  z
    .object({ type: z.literal('group'), by: z.string().min(1), ratios, seed: z.number().int().default(42) })
    .strict(),
  z.object({ type: z.literal('column'), column: z.string().min(1) }).strict(),
]);

export const inputSpecSchema = z
  .object({
    /** Manifest field the input reads. */
    field: z.string().min(1),
    /** Encoder plugin id, e.g. `vision:cnn`. */
    encoder: z.string().regex(/^[\w.-]+:[\w.-]+$/, 'an encoder id looks like "modality:name"'),
    options: z.record(z.string(), z.unknown()).default({}),
    /** Whether a missing value is allowed (presence mask 0) instead of an error. */
    optional: z.boolean().default(false),
  })
  .strict();

export const outputSpecSchema = z
  .object({
    type: z.enum(['classification', 'multi-label', 'regression']),
    field: z.string().min(1),
    labels: z.array(z.string()).min(2).optional(),
    /** Hidden layers of the prediction head on top of the fused vector. */
    head: z
      .object({
        hidden: z.array(z.number().int().positive()).default([]),
        dropout: z.number().min(0).max(0.95).default(0),
        activation: z.enum(['relu', 'gelu', 'tanh', 'elu']).default('relu'),
      })
      .strict()
      .default({ hidden: [], dropout: 0, activation: 'relu' }),
  })
  .strict();

/**
 * Hyperparameters of the optimiser `training.optimizer` names; each one unset takes that optimiser's
 * default (see the trainer's README). Only the fields an optimiser reads are allowed with it.
 */
export const optimizerOptionsSchema = z
  .object({
    /** sgd, rmsprop: momentum factor (0: none). */
    momentum: z.number().min(0).lt(1).optional(),
    /** sgd: Nesterov momentum (needs momentum > 0). */
    nesterov: z.boolean().optional(),
    /** adam, adamw: decay rate of the first moment. */
    beta1: z.number().min(0).lt(1).optional(),
    /** adam, adamw: decay rate of the second moment. */
    beta2: z.number().min(0).lt(1).optional(),
    /** adam, adamw, rmsprop: added to the denominator. */
    epsilon: z.number().positive().optional(),
    /**
     * adamw: decoupled weight decay, applied to kernels (weights of rank ≥ 2) only (default 0.01).
     * sgd, adam, rmsprop: PyTorch's `weight_decay`, an L2 penalty added to the gradient of every
     * trainable weight (kernels, biases, normalisation scales) after clipping (default 0).
     */
    weightDecay: z.number().min(0).optional(),
    /** rmsprop: decay rate of the squared-gradient average (PyTorch's `alpha`). */
    rho: z.number().min(0).lt(1).optional(),
  })
  .strict();

/** Which optimiser reads which option, for validation and error messages. */
export const OPTIMIZER_OPTION_NAMES = {
  sgd: ['momentum', 'nesterov', 'weightDecay'],
  adam: ['beta1', 'beta2', 'epsilon', 'weightDecay'],
  adamw: ['beta1', 'beta2', 'epsilon', 'weightDecay'],
  rmsprop: ['rho', 'momentum', 'epsilon', 'weightDecay'],
} as const;

/**
 * How the learning rate changes during training. `cosine` and `one-cycle` change it every step
 * (batch); `step` and `reduce-on-plateau` once per epoch.
 */
export const lrScheduleSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('constant') }).strict(),
  z
    .object({
      type: z.literal('step'),
      /** Epochs between two decays. */
      stepSize: z.number().int().positive(),
      gamma: z.number().positive().max(1).default(0.1),
    })
    .strict(),
  z
    .object({
      type: z.literal('cosine'),
      /** Linear warm-up steps (batches) before the cosine decay; or give `warmupEpochs`. */
      warmupSteps: z.number().int().nonnegative().optional(),
      warmupEpochs: z.number().nonnegative().optional(),
      minLr: z.number().nonnegative().default(0),
    })
    .strict()
    .refine((s) => s.warmupSteps === undefined || s.warmupEpochs === undefined, {
      message: 'give warmupSteps or warmupEpochs, not both',
    }),
  z
    .object({
      type: z.literal('one-cycle'),
      /** Peak learning rate; default `training.learningRate`. */
      maxLr: z.number().positive().optional(),
      pctStart: z.number().gt(0).lt(1).default(0.3),
      divFactor: z.number().positive().default(25),
      finalDivFactor: z.number().positive().default(1e4),
    })
    .strict(),
  z
    .object({
      type: z.literal('reduce-on-plateau'),
      monitor: z.string().default('val_loss'),
      factor: z.number().gt(0).lt(1).default(0.1),
      patience: z.number().int().nonnegative().default(2),
      minLr: z.number().nonnegative().default(0),
      cooldown: z.number().int().nonnegative().default(0),
      /** Relative improvement that counts as one (PyTorch's `threshold`, mode `rel`). */
      threshold: z.number().nonnegative().default(1e-4),
    })
    .strict(),
]);

export const trainingSpecSchema = z
  .object({
    trainer: z.string().default('trainer:supervised'),
    epochs: z.number().int().positive().default(10),
    batchSize: z.number().int().positive().default(32),
    learningRate: z.number().positive().default(1e-3),
    optimizer: z.enum(['adam', 'adamw', 'sgd', 'rmsprop']).default('adam'),
    optimizerOptions: optimizerOptionsSchema.optional(),
    lrSchedule: lrScheduleSchema.optional(),
    /** Rescales the gradients so that their global L2 norm is at most this (PyTorch's `clip_grad_norm_`). */
    gradientClipNorm: z.number().positive().optional(),
    /** Classification: loss weight per label, or `balanced` (n / (classes · count of the label)). */
    classWeights: z.union([z.literal('balanced'), z.record(z.string(), z.number().nonnegative())]).optional(),
    /** Classification: the target becomes (1 − ε)·one-hot + ε / classes. */
    labelSmoothing: z.number().min(0).max(1).optional(),
    seed: z.number().int().default(42),
    /**
     * How the weights start. Absent or `plugin`: each plugin's own initialisers (He for ReLU
     * convolutions, Glorot for dense layers, …). `pytorch`: every dense and convolution kernel and
     * bias drawn as torch.nn.Linear / ConvNd do, U(±1/√fan_in), for results comparable with a
     * PyTorch model trained with its default initialisation (other layers keep the plugins').
     */
    initialization: z.enum(['plugin', 'pytorch']).optional(),
    shuffle: z.boolean().default(true),
    /**
     * The metric that picks the best epoch (the weights `restoreBestWeights` restores and the `best`
     * checkpoint) and that early stopping watches: `val_loss` (minimised), `val_accuracy` (maximised),
     * any metric the trainer reports. Default `earlyStopping.monitor`, else `val_loss` (`loss` without
     * a validation split).
     */
    monitor: z.string().min(1).optional(),
    earlyStopping: z
      .object({
        /** Default `training.monitor`, else `val_loss`. */
        monitor: z.string().min(1).optional(),
        patience: z.number().int().nonnegative().default(5),
        minDelta: z.number().nonnegative().default(0),
      })
      .strict()
      .optional(),
    restoreBestWeights: z.boolean().default(true),
    /**
     * Data-parallel worker threads (wasm and cpu backends): each computes the gradients of its shard
     * of every batch; `auto` is the number of physical cores, capped by the batch size. Default 1.
     * Batch-norm statistics are per shard. Results are deterministic for a given number of workers.
     */
    workers: z.union([z.literal('auto'), z.number().int().positive()]).optional(),
    /**
     * Read the splits from disk batch by batch (packed from the feature cache) instead of holding
     * them as tensors, so memory does not grow with the dataset: `auto` (default) streams when the
     * splits' features would take more than 512 MiB; `always`; `never`.
     */
    streaming: z.enum(['auto', 'always', 'never']).optional(),
  })
  .strict()
  .superRefine((training, ctx) => {
    const allowed: readonly string[] = OPTIMIZER_OPTION_NAMES[training.optimizer];
    for (const name of Object.keys(training.optimizerOptions ?? {})) {
      if (!allowed.includes(name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['optimizerOptions', name],
          message: `${training.optimizer} has no option "${name}" (it takes ${allowed.join(', ')})`,
        });
      }
    }
    const stoppingMonitor = training.earlyStopping?.monitor;
    if (
      training.monitor !== undefined &&
      stoppingMonitor !== undefined &&
      stoppingMonitor !== training.monitor
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['earlyStopping', 'monitor'],
        message: `early stopping watches "${stoppingMonitor}" but training.monitor is "${training.monitor}": give one`,
      });
    }
    if (training.optimizerOptions?.nesterov && !training.optimizerOptions.momentum) {
      ctx.addIssue({
        code: 'custom',
        path: ['optimizerOptions', 'nesterov'],
        message: 'Nesterov momentum needs momentum > 0',
      });
    }
  });

export const modelSpecSchema = z
  .object({
    $schema: z.string().optional(),
    /** Plugin modules to load: package names or paths relative to the config file. */
    plugins: z.array(z.string().min(1)).default([]),
    /** Manifest (JSONL/CSV/TSV) path relative to the config file. */
    data: z.string().optional(),
    inputs: z.array(inputSpecSchema).min(1),
    /** Needed when there is more than one input. */
    fusion: z
      .object({
        type: z.string().regex(/^[\w.-]+:[\w.-]+$/),
        options: z.record(z.string(), z.unknown()).default({}),
      })
      .strict()
      .optional(),
    output: outputSpecSchema,
    split: splitSpecSchema.default({
      type: 'random',
      ratios: { train: 0.8, validation: 0.1, test: 0.1 },
      seed: 42,
    }),
    training: trainingSpecSchema.default(trainingSpecSchema.parse({})),
    backend: backendChoiceSchema.default('auto'),
    /**
     * What training, evaluation and prediction do with invalid records (found by the data check
     * before anything is fitted, or while preprocessing): `fail` reports every one and stops;
     * `skip` drops them, goes on with the rest, and lists them in the report and the bundle.
     */
    onInvalid: z.enum(['fail', 'skip']).default('fail'),
  })
  .strict()
  .superRefine((spec, ctx) => {
    const seen = new Set<string>();
    spec.inputs.forEach((input, i) => {
      if (seen.has(input.field)) {
        ctx.addIssue({
          code: 'custom',
          path: ['inputs', i, 'field'],
          message: `field "${input.field}" is used twice`,
        });
      }
      seen.add(input.field);
      if (input.field === spec.output.field) {
        ctx.addIssue({
          code: 'custom',
          path: ['inputs', i, 'field'],
          message: 'an input cannot be the output field',
        });
      }
    });
    for (const key of ['classWeights', 'labelSmoothing'] as const) {
      if (spec.training[key] !== undefined && spec.output.type !== 'classification') {
        ctx.addIssue({
          code: 'custom',
          path: ['training', key],
          message: `${key} applies to classification outputs only`,
        });
      }
    }
    if (spec.inputs.length > 1 && !spec.fusion) {
      ctx.addIssue({
        code: 'custom',
        path: ['fusion'],
        message:
          'several inputs need a fusion method, e.g. { "type": "fusion:concat" } from @omnifuse/fusion-concat',
      });
    }
  });

/** A validated model spec with every default filled in. */
export type ModelSpec = z.output<typeof modelSpecSchema>;
/** What a user writes. */
export type ModelSpecInput = z.input<typeof modelSpecSchema>;
export type InputSpec = z.output<typeof inputSpecSchema>;
export type OutputSpec = z.output<typeof outputSpecSchema>;
export type SplitSpec = z.output<typeof splitSpecSchema>;
export type TrainingSpec = z.output<typeof trainingSpecSchema>;
export type LrScheduleSpec = z.output<typeof lrScheduleSchema>;
export type OptimizerOptionsSpec = z.output<typeof optimizerOptionsSchema>;

/** Validates a config object; the error names the path of the first problem, e.g. `inputs[0].encoder`. */
export function parseModelSpec(value: unknown, source?: string): ModelSpec {
  const result = modelSpecSchema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: formatPath(issue.path),
    message: issue.message,
  }));
  const first = issues[0]!;
  throw new OmnifuseError({
    code: ErrorCode.InvalidConfig,
    message: `invalid model spec: ${first.message}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`,
    path: first.path,
    file: source,
    details: { issues },
  });
}

/**
 * Reads a JSON or YAML file (by extension) into a plain value; an unreadable file or a syntax error
 * is an `E_CONFIG` error naming the file. `what` names the file in messages ("config", "search space").
 */
export function readConfigFile(file: string, what = 'config'): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidConfig,
      message: `cannot read ${what}`,
      file,
      cause: error,
    });
  }
  const yaml = /\.ya?ml$/i.test(file);
  try {
    return yaml ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidConfig,
      message: `${what} is not valid ${yaml ? 'YAML' : 'JSON'}: ${(error as Error).message}`,
      file,
      cause: error,
    });
  }
}

/** Reads a JSON or YAML config file and validates it. */
export function loadModelSpec(file: string): ModelSpec {
  return parseModelSpec(readConfigFile(file), path.resolve(file));
}

/** JSON Schema of the model spec (draft 2020-12), for editor completion and validation. */
export function modelSpecJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(modelSpecSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

export function formatPath(parts: readonly PropertyKey[]): string {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(root)';
}
