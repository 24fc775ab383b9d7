import type * as tfjs from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { ErrorCode } from '../errors.js';
import { assertPlugin } from '../registry.js';
import { createRng } from '../rng.js';
import type { FusionPluginV1 } from '../spec/fusion.js';
import type { Rng } from '../spec/rng.js';
import {
  catchSync,
  expectConfigured,
  expectOmnifuseError,
  expectPluginBasics,
  registerCheck,
  safeJson,
} from './assertions.js';
import {
  buildMockFusion,
  MOCK_LENGTH as LENGTH,
  type MockBatch,
  mockBatchTensors,
  mockModalities,
  normals,
  randomMockBatch,
} from './fusion-harness.js';
import {
  countNonFinite,
  gradientReport,
  loadSavedWeights,
  loadTf,
  maxRelativeDifference,
  saveToMemory,
  type Tf,
  type TfChoice,
} from './tf-helpers.js';

/** The checks of {@link describeFusionConformance}, by the key `skip` takes. */
export type FusionConformanceCheck =
  | 'plugin'
  | 'invalid-options'
  | 'build'
  | 'run'
  | 'missing-modality'
  | 'sensitivity'
  | 'ignores-missing'
  | 'ignores-padding'
  | 'gradients'
  | 'seeded-build'
  | 'weights-round-trip'
  | 'topology-round-trip';

export interface FusionConformanceOptions extends TfChoice {
  readonly plugin: FusionPluginV1;
  /** Options passed to `plugin.create`. */
  readonly options?: unknown;
  /** Options `create` must reject with an `E_OPTIONS` OmnifuseError. */
  readonly invalidOptions?: readonly unknown[];
  /** Adds a masked sequence input to the two vector inputs, and checks that padding is ignored. */
  readonly acceptsSequences?: boolean;
  /** Checks that a modality with presence 0 does not affect the output (nor get fusion weight). */
  readonly ignoresMissing?: boolean;
  readonly seed?: number;
  /** Per-test timeout in ms; default 60 000. */
  readonly timeout?: number;
  /** Checks not to run, each with the reason, which shows in the test name. */
  readonly skip?: Partial<Record<FusionConformanceCheck, string>>;
}

const PREFIX = 'conformance_fusion';
const BATCH = 6;

/**
 * Registers vitest tests that check a fusion plugin against the v1 contract, over mock encoded
 * inputs (two vectors of different widths, plus a masked sequence when `acceptsSequences`) with
 * presence inputs: output and weight shapes, finite outputs with a modality missing, sensitivity
 * to every present modality, optional independence from missing modalities and padding, gradient
 * flow back to every modality, and weight and topology round-trips.
 */
export function describeFusionConformance(name: string, config: FusionConformanceOptions): void {
  const seed = config.seed ?? 1234;
  const timeout = config.timeout ?? 60_000;
  const check = registerCheck<FusionConformanceCheck>(config.skip, timeout);
  const modalities = mockModalities(config.acceptsSequences === true);
  const sequenceIndex = modalities.findIndex((m) => m.kind === 'sequence');
  const models: tfjs.LayersModel[] = [];
  let tf: Tf;

  const build = (buildSeed: number) => {
    const { inputs, fused } = buildMockFusion(tf, config, modalities, PREFIX, buildSeed);
    const model = tf.model({
      inputs,
      outputs: fused.weights ? [fused.output, fused.weights] : [fused.output],
      name: `${PREFIX}_model`,
    });
    models.push(model);
    return { fused, model };
  };

  const tensors = (batch: MockBatch): tfjs.Tensor[] => mockBatchTensors(tf, modalities, batch);

  const run = async (model: tfjs.LayersModel, batch: MockBatch) => {
    const xs = tensors(batch);
    const result = model.predict(xs);
    const [output, weights] = Array.isArray(result) ? result : [result];
    const out = {
      output: (await output!.data()) as Float32Array,
      outputShape: output!.shape,
      weights: weights ? ((await weights.data()) as Float32Array) : null,
      weightsShape: weights?.shape ?? null,
    };
    tf.dispose([...xs, output!, ...(weights ? [weights] : [])]);
    return out;
  };

  const randomBatch = (rng: Rng) => randomMockBatch(rng, modalities, BATCH);

  const withValues = (batch: MockBatch, k: number, values: Float32Array): MockBatch => ({
    ...batch,
    values: batch.values.map((v, i) => (i === k ? values : v)),
  });
  const withPresence = (batch: MockBatch, k: number, present: number): MockBatch => ({
    ...batch,
    presence: batch.presence.map((p, i) => (i === k ? new Float32Array(BATCH).fill(present) : p)),
  });

  const expectWeightsValid = (weights: Float32Array | null, what: string) => {
    if (!weights) return;
    const m = modalities.length;
    for (let row = 0; row < BATCH; row++) {
      const rowWeights = weights.subarray(row * m, row * m + m);
      expect(
        [...rowWeights].every((w) => w >= -1e-6 && w <= 1 + 1e-6),
        `${what}: weights of row ${row} in [0, 1]`,
      ).toBe(true);
      expect(
        Math.abs(rowWeights.reduce((a, b) => a + b, 0) - 1),
        `${what}: weights of row ${row} sum to 1`,
      ).toBeLessThan(1e-4);
    }
  };

  describe(`${name}: fusion conformance (${config.plugin.id})`, () => {
    beforeAll(async () => {
      tf = await loadTf(config);
    }, timeout);

    afterAll(() => {
      for (const model of models.splice(0)) model.dispose();
    });

    check('plugin', 'is a v1 fusion plugin and creates a v1 fusion', async () => {
      const { plugin } = config;
      assertPlugin(plugin);
      expect(plugin.kind).toBe('fusion');
      expectPluginBasics(plugin);
      const fusion = plugin.create(config.options);
      expectConfigured(fusion, plugin.id);
      expect(typeof fusion.build, 'fusion.build').toBe('function');
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

    check(
      'build',
      'build returns [batch, dim] (and [batch, M] weights), with layer names under context.name',
      async () => {
        const { fused, model } = build(seed);
        expect(Number.isInteger(fused.dim) && fused.dim > 0, `dim ${fused.dim}`).toBe(true);
        expect(fused.output.shape, 'output shape').toEqual([null, fused.dim]);
        if (fused.weights) expect(fused.weights.shape, 'weights shape').toEqual([null, modalities.length]);
        const foreign = model.layers
          .map((l) => l.name)
          .filter((n) => !n.startsWith('mock_') && !n.startsWith(PREFIX));
        expect(foreign, 'layer names must start with context.name').toEqual([]);
      },
    );

    check('run', 'gives finite outputs (and weights that sum to 1) with every modality present', async () => {
      const { fused, model } = build(seed);
      const result = await run(model, randomBatch(createRng(seed)));
      expect(result.outputShape).toEqual([BATCH, fused.dim]);
      expect(countNonFinite(result.output), 'non-finite outputs').toBe(0);
      if (result.weightsShape) expect(result.weightsShape).toEqual([BATCH, modalities.length]);
      expectWeightsValid(result.weights, 'all present');
    });

    check('missing-modality', 'gives finite outputs when a modality is missing (presence 0)', async () => {
      const { model } = build(seed);
      const rng = createRng(seed + 1);
      const base = randomBatch(rng);
      for (const [k, m] of modalities.entries()) {
        const zeros = new Float32Array(base.values[k]!.length);
        const result = await run(model, withPresence(withValues(base, k, zeros), k, 0));
        expect(countNonFinite(result.output), `non-finite outputs with ${m.key} missing`).toBe(0);
        expectWeightsValid(result.weights, `${m.key} missing`);
      }
      // Each row misses a different modality, with values left in place.
      const mixed: MockBatch = {
        ...base,
        presence: modalities.map((_, k) =>
          Float32Array.from({ length: BATCH }, (_, row) => (row % modalities.length === k ? 0 : 1)),
        ),
      };
      const result = await run(model, mixed);
      expect(countNonFinite(result.output), 'non-finite outputs with one modality missing per row').toBe(0);
      expectWeightsValid(result.weights, 'one missing per row');
    });

    check('sensitivity', 'the output changes when a present modality changes', async () => {
      const { model } = build(seed);
      const rng = createRng(seed + 2);
      const base = randomBatch(rng);
      const before = await run(model, base);
      for (const [k, m] of modalities.entries()) {
        const after = await run(model, withValues(base, k, normals(rng, base.values[k]!.length)));
        expect(
          maxAbsoluteDifference(before.output, after.output),
          `output change when ${m.key} changes`,
        ).toBeGreaterThan(1e-6);
      }
    });

    if (config.ignoresMissing) {
      check(
        'ignores-missing',
        'a missing modality’s values affect neither the output nor the weights',
        async () => {
          const { model } = build(seed);
          const rng = createRng(seed + 3);
          const base = randomBatch(rng);
          for (const [k, m] of modalities.entries()) {
            const missing = withPresence(base, k, 0);
            const first = await run(model, missing);
            const second = await run(model, withValues(missing, k, normals(rng, base.values[k]!.length)));
            expect(
              maxRelativeDifference(first.output, second.output),
              `output with ${m.key} missing`,
            ).toBeLessThan(1e-5);
            if (first.weights) {
              const own = [...first.weights].filter((_, j) => j % modalities.length === k);
              expect(Math.max(...own), `fusion weight of missing ${m.key}`).toBeLessThan(1e-6);
            }
          }
        },
      );
    }

    if (sequenceIndex >= 0) {
      check('ignores-padding', 'padded sequence positions (mask 0) do not affect the output', async () => {
        const { model } = build(seed);
        const rng = createRng(seed + 4);
        const base = randomBatch(rng);
        const values = base.values[sequenceIndex]!.slice();
        const width = modalities[sequenceIndex]!.shape[1]!;
        for (let j = 0; j < BATCH * LENGTH; j++) {
          if (base.mask![j] === 0) for (let d = 0; d < width; d++) values[j * width + d] = 10 * rng.normal();
        }
        const first = await run(model, base);
        const second = await run(model, withValues(base, sequenceIndex, values));
        expect(
          maxRelativeDifference(first.output, second.output),
          'output after changing padding',
        ).toBeLessThan(1e-5);
      });
    }

    check('gradients', 'gradients reach every modality and every trainable weight, finite', async () => {
      const { model } = build(seed);
      const xs = tensors(randomBatch(createRng(seed + 5)));
      const report = gradientReport(tf, model, xs, seed);
      tf.dispose(xs);
      expect(report.unconnected, 'trainable weights the output does not depend on').toEqual([]);
      expect(report.nonFinite, 'weights with non-finite gradients').toEqual([]);
      for (const m of modalities) {
        expect(report.nonZero, `a non-zero gradient must reach modality ${m.key}`).toContain(
          `mock_${m.key}_dense/kernel`,
        );
      }
    });

    check('seeded-build', 'build is seeded: the same seed gives the same initial model', async () => {
      const batch = randomBatch(createRng(seed + 8));
      const first = await run(build(seed).model, batch);
      const second = await run(build(seed).model, batch);
      expect(maxRelativeDifference(first.output, second.output), 'output of a second build').toBeLessThan(
        1e-6,
      );
    });

    check('weights-round-trip', 'a rebuilt model with the saved weights predicts identically', async () => {
      const { model } = build(seed);
      const batch = randomBatch(createRng(seed + 6));
      const before = await run(model, batch);
      const artifacts = await saveToMemory(tf, model);
      const rebuilt = build(seed + 1).model;
      loadSavedWeights(tf, rebuilt, artifacts);
      const after = await run(rebuilt, batch);
      expect(maxRelativeDifference(before.output, after.output), 'output after reload').toBeLessThan(1e-5);
      if (before.weights)
        expect(maxRelativeDifference(before.weights, after.weights!), 'weights after reload').toBeLessThan(
          1e-5,
        );
    });

    check(
      'topology-round-trip',
      'the saved model reloads from JSON (custom layers registered) identically',
      async () => {
        const { model } = build(seed);
        const batch = randomBatch(createRng(seed + 7));
        const before = await run(model, batch);
        const reloaded = await tf.loadLayersModel(tf.io.fromMemory(await saveToMemory(tf, model)));
        models.push(reloaded);
        expect(
          reloaded.inputs.length,
          'tfjs drops inputs the output does not depend on when it reloads a model; use every presence input',
        ).toBe(model.inputs.length);
        const after = await run(reloaded, batch);
        expect(maxRelativeDifference(before.output, after.output), 'output after reload').toBeLessThan(1e-5);
        if (before.weights)
          expect(maxRelativeDifference(before.weights, after.weights!), 'weights after reload').toBeLessThan(
            1e-5,
          );
      },
    );
  });
}

function maxAbsoluteDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}
