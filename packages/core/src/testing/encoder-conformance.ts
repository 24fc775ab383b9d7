import type * as tfjs from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { ErrorCode } from '../errors.js';
import { featureArrayType } from '../feature-arrays.js';
import { assertPlugin } from '../registry.js';
import { createRng } from '../rng.js';
import type { ValueFinding } from '../spec/check.js';
import type { EncodedOutput, EncoderPluginV1, EncoderV1, ReadMedia } from '../spec/encoder.js';
import type { Feature, FeatureSpec } from '../spec/feature.js';
import type { MediaMeasure } from '../spec/measure.js';
import {
  catchAsync,
  catchSync,
  expectConfigured,
  expectOmnifuseError,
  expectPluginBasics,
  registerCheck,
  safeJson,
} from './assertions.js';
import { buildEncoder, defaultReadMedia, fitOnSamples, preprocessContext } from './encoder-harness.js';
import {
  countNonFinite,
  gradientReport,
  lazy,
  loadSavedWeights,
  loadTf,
  maxRelativeDifference,
  predictValues,
  sameBytes,
  saveToMemory,
  stackFeatures,
  type Tf,
  type TfChoice,
} from './tf-helpers.js';

/** The checks of {@link describeEncoderConformance}, by the key `skip` takes. */
export type EncoderConformanceCheck =
  | 'plugin'
  | 'invalid-options'
  | 'state-json'
  | 'preprocess'
  | 'augment'
  | 'build'
  | 'run'
  | 'seeded-build'
  | 'weights-round-trip'
  | 'topology-round-trip'
  | 'gradients'
  | 'bad-inputs'
  | 'value-check'
  | 'value-measure';

export interface EncoderConformanceOptions<Raw, State> extends TfChoice {
  readonly plugin: EncoderPluginV1<Raw, State>;
  /** Options passed to `plugin.create`. */
  readonly options?: unknown;
  /** Options `create` must reject with an `E_OPTIONS` OmnifuseError. */
  readonly invalidOptions?: readonly unknown[];
  /** Training values to fit on; also the batch the built model runs on. At least two. */
  readonly samples: readonly Raw[];
  /** Values `preprocess` must reject with an OmnifuseError naming the record and field. */
  readonly badInputs?: readonly { readonly value: unknown; readonly reason: string }[];
  /** Reads media references; default: file refs from disk, inline refs as they are. */
  readonly readMedia?: ReadMedia;
  /** Field name the encoder sees; default `conformance_field`. */
  readonly field?: string;
  readonly seed?: number;
  /** Per-test timeout in ms; default 60 000. */
  readonly timeout?: number;
  /** Checks not to run, each with the reason, which shows in the test name. */
  readonly skip?: Partial<Record<EncoderConformanceCheck, string>>;
}

/** Layer-name prefix the kit builds with. */
const PREFIX = 'conformance';

/**
 * Registers vitest tests that check an encoder plugin against the v1 contract: plugin shape,
 * option validation, JSON state, deterministic preprocessing that matches `featureSpec`, seeded
 * augmentation, output shapes, finite outputs, weight and topology round-trips, bad inputs and
 * gradient flow. Call it at the top level of a test file.
 */
export function describeEncoderConformance<Raw, State>(
  name: string,
  config: EncoderConformanceOptions<Raw, State>,
): void {
  const field = config.field ?? 'conformance_field';
  const seed = config.seed ?? 1234;
  const timeout = config.timeout ?? 60_000;
  const readMedia = config.readMedia ?? defaultReadMedia;
  const context = (record: string | number) => preprocessContext({ field, readMedia }, record);
  const models: tfjs.LayersModel[] = [];
  const tensors: tfjs.Tensor[] = [];
  let tf: Tf;

  const check = registerCheck<EncoderConformanceCheck>(config.skip, timeout);

  const fitted = lazy(() =>
    fitOnSamples({
      plugin: config.plugin,
      options: config.options,
      samples: config.samples,
      field,
      readMedia,
    }),
  );

  const build = (encoder: EncoderV1<Raw, State>, state: State, spec: FeatureSpec, buildSeed: number) => {
    const { input, encoded } = buildEncoder(tf, { encoder, state, spec }, PREFIX, buildSeed);
    const outputs =
      encoded.kind === 'sequence' && encoded.mask ? [encoded.output, encoded.mask] : [encoded.output];
    const model = tf.model({ inputs: input, outputs, name: `${PREFIX}_model` });
    models.push(model);
    return { input, encoded, model };
  };

  const built = lazy(async () => {
    const { encoder, state, spec, features } = await fitted();
    const { encoded, model } = build(encoder, state, spec, seed);
    const batch = stackFeatures(tf, features);
    tensors.push(batch);
    return { encoder, state, spec, features, encoded, model, batch };
  });

  describe(`${name}: encoder conformance (${config.plugin.id})`, () => {
    beforeAll(async () => {
      tf = await loadTf(config);
    }, timeout);

    afterAll(() => {
      for (const model of models.splice(0)) model.dispose();
      for (const tensor of tensors.splice(0)) tensor.dispose();
    });

    check('plugin', 'is a v1 encoder plugin and creates a v1 encoder', async () => {
      const { plugin } = config;
      assertPlugin(plugin);
      expect(plugin.kind).toBe('encoder');
      expect(typeof plugin.modality === 'string' && plugin.modality.length > 0, 'plugin.modality').toBe(true);
      expectPluginBasics(plugin);
      const encoder = plugin.create(config.options);
      expectConfigured(encoder, plugin.id);
      expect(encoder.modality).toBe(plugin.modality);
      for (const method of ['fit', 'preprocess', 'featureSpec', 'build'] as const) {
        expect(typeof encoder[method], `encoder.${method}`).toBe('function');
      }
      if (encoder.augment !== undefined) expect(typeof encoder.augment).toBe('function');
    });

    if (config.invalidOptions && config.invalidOptions.length > 0) {
      check('invalid-options', 'create rejects invalid options with an E_OPTIONS OmnifuseError', async () => {
        for (const options of config.invalidOptions!) {
          const error = catchSync(() => config.plugin.create(options));
          expectOmnifuseError(error, `create(${safeJson(options)})`);
          expect(error.code).toBe(ErrorCode.InvalidOptions);
        }
      });
    }

    check('state-json', 'fitted state round-trips through JSON and preprocesses identically', async () => {
      const { encoder, state, spec, features } = await fitted();
      const restored = JSON.parse(JSON.stringify(state)) as State;
      expect(restored, 'state is plain JSON (no typed arrays, maps, undefined-only fields)').toEqual(state);
      expect(encoder.featureSpec(restored)).toEqual(spec);
      for (const [i, raw] of config.samples.entries()) {
        const again = await encoder.preprocess(raw, restored, context(i));
        expect(sameBytes(again, features[i]!), `sample ${i} preprocessed with the restored state`).toBe(true);
      }
    });

    check('preprocess', 'preprocess is deterministic and every feature matches featureSpec', async () => {
      const { encoder, state, spec, features } = await fitted();
      expect(['float32', 'int32', 'uint8']).toContain(spec.dtype);
      expect(
        spec.shape.every((d) => Number.isInteger(d) && d > 0),
        `featureSpec shape ${safeJson(spec.shape)}`,
      ).toBe(true);
      for (const [i, raw] of config.samples.entries()) {
        const feature = features[i]!;
        expectMatchesSpec(feature, spec, `sample ${i}`);
        const again = await encoder.preprocess(raw, state, context(i));
        expect(sameBytes(again, feature), `sample ${i} preprocessed twice`).toBe(true);
      }
    });

    check(
      'augment',
      'augment is seeded-deterministic, keeps the shape and leaves its input alone',
      async (ctx) => {
        const { encoder, state, spec, features } = await fitted();
        if (!encoder.augment) ctx.skip('the encoder has no augment');
        const augment = (feature: Feature, i: number, augmentSeed: number) =>
          encoder.augment!(feature, state, { record: i, field, rng: createRng(augmentSeed), epoch: 0 });
        let changed = false;
        for (const [i, feature] of features.entries()) {
          const before = copyFeature(feature);
          const a = augment(feature, i, seed);
          const b = augment(feature, i, seed);
          expect(
            sameBytes(feature, before),
            `augment must not modify the (cached) feature of sample ${i}`,
          ).toBe(true);
          expectMatchesSpec(a, spec, `augmented sample ${i}`);
          expect(sameBytes(a, b), `sample ${i} augmented twice with the same seed`).toBe(true);
          for (let other = 1; other <= 3 && !changed; other++)
            changed = !sameBytes(a, augment(feature, i, seed + other));
        }
        expect(changed, 'different seeds should give different augmentations').toBe(true);
      },
    );

    check(
      'build',
      'build returns the declared kind and shapes, with layer names under context.name',
      async () => {
        const { encoded, model } = await built();
        expectEncodedShape(encoded);
        const foreign = model.layers
          .map((l) => l.name)
          .filter((n) => n !== `${PREFIX}_input` && !n.startsWith(PREFIX));
        expect(
          foreign,
          'layer names must start with context.name so two instances can share a model',
        ).toEqual([]);
      },
    );

    check(
      'run',
      'the built model gives finite outputs of the declared shape on preprocessed samples',
      async () => {
        const { encoded, model, batch } = await built();
        const n = config.samples.length;
        const [output, mask] = await predictValues(model, batch);
        if (encoded.kind === 'vector') {
          expect(output!.shape).toEqual([n, encoded.dim]);
        } else {
          expect(output!.shape).toEqual([n, encoded.length, encoded.dim]);
          if (mask) {
            expect(mask.shape).toEqual([n, encoded.length]);
            expect(
              [...mask.values].every((v) => v >= 0 && v <= 1),
              'mask values lie in [0, 1]',
            ).toBe(true);
          }
        }
        expect(countNonFinite(output!.values), 'non-finite output values').toBe(0);
      },
    );

    check('seeded-build', 'build is seeded: the same seed gives the same initial model', async () => {
      const { encoder, state, spec, model, batch } = await built();
      const first = await predictValues(model, batch);
      const second = await predictValues(build(encoder, state, spec, seed).model, batch);
      first.forEach((out, i) => {
        expect(
          maxRelativeDifference(out.values, second[i]!.values),
          `output ${i} of a second build`,
        ).toBeLessThan(1e-6);
      });
    });

    check('weights-round-trip', 'a rebuilt model with the saved weights predicts identically', async () => {
      const { encoder, state, spec, model, batch } = await built();
      const before = await predictValues(model, batch);
      const artifacts = await saveToMemory(tf, model);
      // Another seed, so the rebuilt model only matches if the weights really load.
      const rebuilt = build(encoder, state, spec, seed + 1).model;
      loadSavedWeights(tf, rebuilt, artifacts);
      const after = await predictValues(rebuilt, batch);
      before.forEach((out, i) => {
        expect(maxRelativeDifference(out.values, after[i]!.values), `output ${i} after reload`).toBeLessThan(
          1e-5,
        );
      });
    });

    check(
      'topology-round-trip',
      'the saved model reloads from JSON (custom layers registered) identically',
      async () => {
        const { model, batch } = await built();
        const before = await predictValues(model, batch);
        const artifacts = await saveToMemory(tf, model);
        const reloaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
        models.push(reloaded);
        const after = await predictValues(reloaded, batch);
        before.forEach((out, i) => {
          expect(
            maxRelativeDifference(out.values, after[i]!.values),
            `output ${i} after reload`,
          ).toBeLessThan(1e-5);
        });
      },
    );

    check('gradients', 'gradients reach every trainable weight, finite and not all zero', async () => {
      const { model, batch } = await built();
      const report = gradientReport(tf, model, batch, seed);
      if (report.trainable.length === 0) return;
      expect(report.unconnected, 'trainable weights the output does not depend on').toEqual([]);
      expect(report.nonFinite, 'weights with non-finite gradients').toEqual([]);
      expect(report.nonZero.length, 'weights with a non-zero gradient').toBeGreaterThan(0);
    });

    check(
      'value-check',
      'check (when the encoder has one) finds no error in the samples and never throws',
      async () => {
        const encoder = (await fitted()).encoder;
        if (!encoder.check) return;
        const checkContext = (record: string) => ({
          record,
          field,
          readMedia: config.readMedia ?? defaultReadMedia,
        });
        for (const [i, sample] of config.samples.entries()) {
          const findings = await encoder.check(sample, checkContext(`sample-${i}`));
          expectFindings(findings, `check(sample ${i})`);
          expect(
            findings.filter((f) => f.severity === 'error'),
            `errors for sample ${i}`,
          ).toEqual([]);
        }
        for (const [i, bad] of (config.badInputs ?? []).entries()) {
          const thrown = await catchAsync(async () => {
            expectFindings(
              await encoder.check!(bad.value as Raw, checkContext(`bad-${i}`)),
              `check(${bad.reason})`,
            );
          });
          expect(thrown, `check(${bad.reason}) must return findings, not throw`).toBeUndefined();
        }
      },
    );

    check(
      'value-measure',
      'measure sizes every sample and fails only with OmnifuseErrors (required of image and audio encoders)',
      async () => {
        const encoder = (await fitted()).encoder;
        if (!encoder.measure) {
          // serve sizes media inputs through this hook before decoding them, and refuses a bundle
          // whose image or audio input cannot be sized.
          expect(
            ['image', 'audio'].includes(config.plugin.modality),
            `${config.plugin.id} is an ${config.plugin.modality} encoder without measure(), so serve cannot limit its inputs`,
          ).toBe(false);
          return;
        }
        const measureContext = (record: string) => ({
          record,
          field,
          readMedia: config.readMedia ?? defaultReadMedia,
          limits: {},
        });
        for (const [i, sample] of config.samples.entries()) {
          expectMeasure(await encoder.measure(sample, measureContext(`sample-${i}`)), `measure(sample ${i})`);
        }
        for (const [i, bad] of (config.badInputs ?? []).entries()) {
          const what = `measure(${bad.reason})`;
          const error = await catchAsync(async () => {
            expectMeasure(await encoder.measure!(bad.value as Raw, measureContext(`bad-${i}`)), what);
          });
          // A bad value may still have a readable size (its fault lies past the header).
          if (error !== undefined) expectOmnifuseError(error, what);
        }
      },
    );

    for (const [i, bad] of (config.badInputs ?? []).entries()) {
      check(
        'bad-inputs',
        `rejects bad input (${bad.reason}) with an OmnifuseError naming record and field`,
        async () => {
          const { encoder, state } = await fitted();
          const record = `bad-input-${i}`;
          const error = await catchAsync(() => encoder.preprocess(bad.value as Raw, state, context(record)));
          expectOmnifuseError(error, `preprocess(${safeJson(bad.value)})`);
          expect(error.code, 'E_PLUGIN_FAILED means an unexpected crash, not a checked input').not.toBe(
            ErrorCode.PluginFailed,
          );
          expect(error.record, 'error.record').toBe(record);
          expect(error.field, 'error.field').toBe(field);
        },
      );
    }
  });
}

function expectFindings(findings: readonly ValueFinding[], what: string): void {
  expect(Array.isArray(findings), `${what} returns an array`).toBe(true);
  for (const finding of findings) {
    expect(['error', 'warning'], `${what} severity`).toContain(finding.severity);
    expect(finding.code, `${what} code`).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(typeof finding.reason === 'string' && finding.reason.length > 0, `${what} reason`).toBe(true);
  }
}

function expectMeasure(measure: MediaMeasure, what: string): void {
  expect(['header', 'decoded'], `${what} source`).toContain(measure.source);
  const sizes = { width: measure.width, height: measure.height, seconds: measure.seconds };
  expect(
    Object.values(sizes).some((size) => size !== undefined),
    `${what} gives a size`,
  ).toBe(true);
  expect(measure.width === undefined, `${what} gives width and height together`).toBe(
    measure.height === undefined,
  );
  for (const [name, size] of Object.entries(sizes)) {
    if (size === undefined) continue;
    expect(Number.isFinite(size) && size >= 0, `${what} ${name} = ${size}`).toBe(true);
  }
}

function expectEncodedShape(encoded: EncodedOutput): void {
  expect(['vector', 'sequence']).toContain(encoded.kind);
  expect(Number.isInteger(encoded.dim) && encoded.dim > 0, `dim ${encoded.dim}`).toBe(true);
  if (encoded.kind === 'vector') {
    expect(encoded.output.shape, 'vector output shape').toEqual([null, encoded.dim]);
    return;
  }
  expect(Number.isInteger(encoded.length) && encoded.length > 0, `length ${encoded.length}`).toBe(true);
  expect(encoded.output.shape, 'sequence output shape').toEqual([null, encoded.length, encoded.dim]);
  if (encoded.mask) expect(encoded.mask.shape, 'mask shape').toEqual([null, encoded.length]);
}

function expectMatchesSpec(feature: Feature, spec: FeatureSpec, what: string): void {
  expect(feature.dtype, `${what} dtype`).toBe(spec.dtype);
  expect([...feature.shape], `${what} shape`).toEqual([...spec.shape]);
  expect(feature.data, `${what} data type`).toBeInstanceOf(featureArrayType(spec.dtype));
  expect(feature.data.length, `${what} length`).toBe(spec.shape.reduce((a, b) => a * b, 1));
  expect(countNonFinite(feature.data), `${what} non-finite values`).toBe(0);
}

function copyFeature(feature: Feature): Feature {
  return { dtype: feature.dtype, shape: [...feature.shape], data: feature.data.slice() };
}
