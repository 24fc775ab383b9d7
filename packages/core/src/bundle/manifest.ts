import { z } from 'zod';
import { ErrorCode, OmnifuseError } from '../errors.js';
import { formatPath } from '../model-spec.js';

/** Marks a directory as an omnifuse model bundle. */
export const BUNDLE_FORMAT = 'omnifuse-bundle';
/** The bundle layout this core writes and reads; bumped on any incompatible change. */
export const BUNDLE_FORMAT_VERSION = 1;

/** File names inside a bundle directory. */
export const BUNDLE_FILES = {
  manifest: 'omnifuse.json',
  topology: 'model.json',
  weights: 'weights.bin',
} as const;

const pluginRefSchema = z
  .object({
    kind: z.enum(['encoder', 'fusion', 'trainer']),
    id: z.string().min(1),
    /** npm package that provides the plugin; named in the error when it is not installed. */
    packageName: z.string().nullable(),
    /** Version of that package found at save time. */
    packageVersion: z.string().nullable(),
    /** The plugin's implementation version (`EncoderV1.version`, `FusionV1.version`). */
    version: z.string().nullable(),
  })
  .strict();

const featureSpecSchema = z
  .object({ dtype: z.enum(['float32', 'int32', 'uint8']), shape: z.array(z.number().int().nonnegative()) })
  .strict();

export const bundleManifestSchema = z
  .object({
    format: z.literal(BUNDLE_FORMAT),
    formatVersion: z.literal(BUNDLE_FORMAT_VERSION),
    createdAt: z.string(),
    tfjsVersion: z.string().nullable(),
    /** The validated model spec, defaults filled in. */
    spec: z.record(z.string(), z.unknown()),
    task: z
      .object({
        type: z.enum(['classification', 'multi-label', 'regression']),
        field: z.string(),
        labels: z.array(z.string()),
      })
      .strict(),
    /** Seed the model was composed with. */
    seed: z.number().int(),
    plugins: z.array(pluginRefSchema),
    /** Per input field: the encoder's id, version, options and fitted state. */
    encoders: z.record(
      z.string(),
      z
        .object({
          id: z.string(),
          version: z.string(),
          options: z.record(z.string(), z.unknown()),
          state: z.unknown(),
          featureSpec: featureSpecSchema,
        })
        .strict(),
    ),
    fusion: z
      .object({ id: z.string(), version: z.string(), options: z.record(z.string(), z.unknown()) })
      .strict()
      .nullable(),
    trainer: z.object({ id: z.string() }).strict().nullable(),
    model: z
      .object({
        inputNames: z.array(z.string()),
        outputUnits: z.number().int().positive(),
        hasFusionWeights: z.boolean(),
      })
      .strict(),
    /** How the training data was read, so records given at prediction time are read the same way. */
    data: z
      .object({
        fieldTypes: z.record(z.string(), z.string()),
        /** Records left out of training under `onInvalid: "skip"`, with their problems. */
        skipped: z
          .object({
            count: z.number().int().nonnegative(),
            byCode: z.record(z.string(), z.number()),
            records: z.array(
              z
                .object({
                  record: z.union([z.string(), z.number()]),
                  problems: z.array(
                    z.object({ field: z.string(), code: z.string(), reason: z.string() }).strict(),
                  ),
                })
                .strict(),
            ),
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    metrics: z.record(z.string(), z.unknown()),
    history: z.unknown().optional(),
  })
  .strict();

export type BundleManifest = z.output<typeof bundleManifestSchema>;
export type BundlePluginRef = z.output<typeof pluginRefSchema>;

/**
 * Validates a parsed `omnifuse.json`; the format marker and version are checked first, so a bundle
 * from a newer omnifuse says so instead of listing schema differences.
 */
export function parseBundleManifest(value: unknown, file: string): BundleManifest {
  const head = value as { format?: unknown; formatVersion?: unknown } | null;
  if (!head || typeof head !== 'object' || head.format !== BUNDLE_FORMAT) {
    throw new OmnifuseError({
      code: ErrorCode.Bundle,
      message: 'not an omnifuse model bundle manifest',
      file,
      expected: `format "${BUNDLE_FORMAT}"`,
      found: head && typeof head === 'object' ? head.format : typeof value,
    });
  }
  if (head.formatVersion !== BUNDLE_FORMAT_VERSION) {
    const newer = typeof head.formatVersion === 'number' && head.formatVersion > BUNDLE_FORMAT_VERSION;
    throw new OmnifuseError({
      code: ErrorCode.Bundle,
      message: newer
        ? 'the bundle was written by a newer omnifuse; upgrade @omnifuse/core to load it'
        : 'unsupported bundle format version',
      file,
      expected: BUNDLE_FORMAT_VERSION,
      found: head.formatVersion,
    });
  }
  const result = bundleManifestSchema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new OmnifuseError({
    code: ErrorCode.Bundle,
    message: `corrupt bundle manifest: ${issue.message}`,
    file,
    path: formatPath(issue.path),
    details: { issues: result.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })) },
  });
}
