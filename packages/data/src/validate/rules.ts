import { z } from 'zod';
import type { DataRecord } from '../clean/records.js';

export const VALUE_TYPES = ['number', 'integer', 'string', 'boolean', 'category', 'date'] as const;
export type ValueType = (typeof VALUE_TYPES)[number];

const bound = z.union([z.number(), z.string()]);

/** Checks on one field's value; a missing value (absent, null, blank) fails only `required`. */
export const fieldRuleSchema = z
  .object({
    field: z.string().min(1),
    type: z.enum(VALUE_TYPES).optional(),
    required: z.boolean().default(false),
    /** Inclusive bounds for numbers, and for dates (a date string or epoch milliseconds). */
    min: bound.optional(),
    max: bound.optional(),
    minLength: z.number().int().nonnegative().optional(),
    maxLength: z.number().int().nonnegative().optional(),
    /** A string must match (the whole pattern as given: anchor it yourself). */
    pattern: z.union([z.string(), z.instanceof(RegExp)]).optional(),
    oneOf: z.array(z.unknown()).min(1).optional(),
    /** No two records may share a (present) value. */
    unique: z.boolean().default(false),
  })
  .strict();

/** A custom cross-field check: `true` passes; `false` or a message string is a violation. */
export const checkRuleSchema = z
  .object({
    name: z.string().min(1),
    check: z.custom<(record: DataRecord, index: number) => boolean | string>((v) => typeof v === 'function'),
    /** Field(s) the check is about, named in its violations. */
    field: z.string().optional(),
  })
  .strict();

const pair = z.tuple([z.string().min(1), z.string().min(1)]);

/**
 * Declarative cross-field rules: `lessThan`/`lessOrEqual` compare two numbers or dates present in a
 * record; `requiredWith: [a, b]` needs `b` whenever `a` is present.
 */
export const compareRuleSchema = z.union([
  z.object({ name: z.string().optional(), lessThan: pair }).strict(),
  z.object({ name: z.string().optional(), lessOrEqual: pair }).strict(),
  z.object({ name: z.string().optional(), requiredWith: pair }).strict(),
]);

/**
 * Compares records of two named sources matched by `key`: numbers must agree within
 * `tolerance + relativeTolerance·|a|`, anything else exactly. `field` may name the field in each
 * source. With `requireMatch`, a key of source a missing from source b is a violation.
 */
export const crossSourceRuleSchema = z
  .object({
    name: z.string().min(1),
    sources: pair,
    key: z.string().min(1),
    field: z.union([z.string().min(1), pair]),
    tolerance: z.number().nonnegative().default(0),
    relativeTolerance: z.number().nonnegative().default(0),
    requireMatch: z.boolean().default(false),
  })
  .strict();

export type FieldRule = z.input<typeof fieldRuleSchema>;
export type CheckRule = z.input<typeof checkRuleSchema>;
export type CompareRule = z.input<typeof compareRuleSchema>;
export type CrossSourceRule = z.input<typeof crossSourceRuleSchema>;
export type ValidationRule = FieldRule | CheckRule | CompareRule | CrossSourceRule;
