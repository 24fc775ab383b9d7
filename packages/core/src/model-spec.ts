import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
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

export const trainingSpecSchema = z
  .object({
    trainer: z.string().default('trainer:supervised'),
    epochs: z.number().int().positive().default(10),
    batchSize: z.number().int().positive().default(32),
    learningRate: z.number().positive().default(1e-3),
    optimizer: z.enum(['adam', 'sgd', 'rmsprop']).default('adam'),
    seed: z.number().int().default(42),
    shuffle: z.boolean().default(true),
    earlyStopping: z
      .object({
        monitor: z.string().default('val_loss'),
        patience: z.number().int().nonnegative().default(5),
        minDelta: z.number().nonnegative().default(0),
      })
      .strict()
      .optional(),
    restoreBestWeights: z.boolean().default(true),
  })
  .strict();

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
    backend: z.enum(['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']).default('auto'),
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

/** Reads a JSON or YAML config file and validates it. */
export function loadModelSpec(file: string): ModelSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidConfig,
      message: 'cannot read config',
      file,
      cause: error,
    });
  }
  let value: unknown;
  try {
    value = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidConfig,
      message: `config is not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${(error as Error).message}`,
      file,
      cause: error,
    });
  }
  return parseModelSpec(value, path.resolve(file));
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
