import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeModel, type FittedEncoder } from '../compose/compose-model.js';
import {
  createTestGatedFusion,
  createTestTokenEncoder,
  createTestVectorEncoder,
  testGatedFusionPlugin,
  testTokenEncoderPlugin,
  testVectorEncoderPlugin,
} from '../compose/test-fixtures.js';
import { ErrorCode, OmnifuseError } from '../errors.js';
import { parseModelSpec } from '../model-spec.js';
import { createRegistry } from '../registry.js';
import { BUNDLE_FILES, loadBundle, saveBundle } from './index.js';

const readMedia = async () => new Uint8Array();
let work: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  work = mkdtempSync(path.join(os.tmpdir(), 'omnifuse-bundle-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const spec = parseModelSpec({
  inputs: [
    { field: 'x', encoder: 'test:vector', options: { units: 6 } },
    { field: 'words', encoder: 'test:tokens', options: { dim: 3, length: 4 } },
  ],
  fusion: { type: 'fusion:test-gated' },
  output: { type: 'classification', field: 'y', head: { hidden: [5], dropout: 0.2 } },
});
const task = { type: 'classification' as const, field: 'y', labels: ['cat', 'dog', 'eel'] };
const registry = createRegistry([testVectorEncoderPlugin, testTokenEncoderPlugin, testGatedFusionPlugin]);

async function trainedParts(seed = 11) {
  const vector = createTestVectorEncoder({ units: 6 });
  const tokens = createTestTokenEncoder({ dim: 3, length: 4 });
  const encoders: Record<string, FittedEncoder> = {
    x: {
      encoder: vector,
      state: await vector.fit(
        [
          [1, 2],
          [3, 4],
        ],
        { field: 'x', readMedia },
      ),
    },
    words: { encoder: tokens, state: await tokens.fit(['a b', 'c d e'], { field: 'words', readMedia }) },
  };
  const fusion = createTestGatedFusion();
  const composed = composeModel({ tf, spec, encoders, fusion, task, seed });
  // Move the weights away from their initial values, as training would.
  for (const w of composed.model.weights)
    w.write(tf.randomNormal(w.shape as number[], 0, 0.5, 'float32', seed * 1000 + w.originalName.length));
  return { encoders, fusion, composed };
}

const feed = () => [
  tf.tensor2d([
    [0.5, -1],
    [2, 3],
    [0, 0],
  ]),
  tf.tensor2d([[1], [1], [0]]),
  tf.tensor2d(
    [
      [2, 3, 0, 0],
      [4, 5, 6, 1],
      [0, 0, 0, 0],
    ],
    undefined,
    'int32',
  ),
  tf.tensor2d([[1], [0], [0]]),
];

async function save(dir: string, seed = 11) {
  const parts = await trainedParts(seed);
  await saveBundle(dir, {
    tf,
    model: parts.composed.model,
    spec,
    task,
    encoders: parts.encoders,
    fusion: parts.fusion,
    hasFusionWeights: true,
    seed,
    trainer: { id: 'trainer:supervised' },
    registry,
    metrics: { test: { accuracy: 0.5 } },
  });
  return parts;
}

describe('saveBundle / loadBundle', () => {
  it('round-trips a fused model: same predictions, fusion weights, encoders and manifest', async () => {
    const dir = path.join(work, 'roundtrip');
    const { composed } = await save(dir);
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'omnifuse.json', 'weights.bin']);

    const loaded = await loadBundle(dir, { registry, tf });
    expect(loaded.warnings).toEqual([]);
    expect(loaded.inputNames).toEqual(composed.inputNames);
    expect((loaded.model.predict(feed()) as tf.Tensor).arraySync()).toEqual(
      (composed.model.predict(feed()) as tf.Tensor).arraySync(),
    );
    const [, weights] = loaded.inspect!.predict(feed()) as tf.Tensor[];
    expect(weights!.arraySync()).toEqual((composed.inspect!.predict(feed()) as tf.Tensor[])[1]!.arraySync());
    const words = loaded.encoders.words!;
    expect(
      await words.encoder.preprocess('c a', words.state, { record: 0, field: 'words', readMedia }),
    ).toMatchObject({
      shape: [4],
    });

    const manifest = loaded.manifest;
    expect(manifest.task.labels).toEqual(['cat', 'dog', 'eel']);
    expect(manifest.tfjsVersion).toBe(tf.version.tfjs);
    expect(manifest.plugins).toEqual([
      {
        kind: 'encoder',
        id: 'test:vector',
        packageName: '@omnifuse/test-vector',
        packageVersion: null,
        version: '1',
      },
      {
        kind: 'encoder',
        id: 'test:tokens',
        packageName: '@omnifuse/test-tokens',
        packageVersion: null,
        version: '1',
      },
      {
        kind: 'fusion',
        id: 'fusion:test-gated',
        packageName: '@omnifuse/test-gated',
        packageVersion: null,
        version: '1',
      },
      { kind: 'trainer', id: 'trainer:supervised', packageName: null, packageVersion: null, version: null },
    ]);
    expect(manifest.metrics).toEqual({ test: { accuracy: 0.5 } });
    expect(loaded.topology.weightsManifest[0]!.paths).toEqual(['weights.bin']);
  });

  it("keeps model.json loadable by tfjs's own loader", async () => {
    const dir = path.join(work, 'tfjs-loader');
    const { composed } = await save(dir);
    const json = JSON.parse(readFileSync(path.join(dir, BUNDLE_FILES.topology), 'utf8'));
    const bytes = readFileSync(path.join(dir, BUNDLE_FILES.weights));
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0].weights,
        weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      }),
    );
    expect((model.predict(feed()) as tf.Tensor).arraySync()).toEqual(
      (composed.model.predict(feed()) as tf.Tensor).arraySync(),
    );
  });

  it('replaces an existing bundle and leaves no temporary directories', async () => {
    const parent = path.join(work, 'replace');
    const dir = path.join(parent, 'model');
    await save(dir, 1);
    const first = readFileSync(path.join(dir, BUNDLE_FILES.weights));
    const { composed } = await save(dir, 2);
    expect(readdirSync(parent)).toEqual(['model']);
    expect(readFileSync(path.join(dir, BUNDLE_FILES.weights)).equals(first)).toBe(false);
    const loaded = await loadBundle(dir, { registry, tf });
    expect(loaded.manifest.seed).toBe(2);
    expect((loaded.model.predict(feed()) as tf.Tensor).arraySync()).toEqual(
      (composed.model.predict(feed()) as tf.Tensor).arraySync(),
    );
  });

  it('keeps the old bundle intact when a save fails', async () => {
    const parent = path.join(work, 'failed-save');
    const dir = path.join(parent, 'model');
    const parts = await save(dir);
    const before = readFileSync(path.join(dir, BUNDLE_FILES.manifest), 'utf8');
    const broken = { ...parts.encoders, x: { ...parts.encoders.x!, state: { dim: 2, mean: [1n, 2n] } } };
    await expect(
      saveBundle(dir, {
        tf,
        model: parts.composed.model,
        spec,
        task,
        encoders: broken,
        fusion: parts.fusion,
        seed: 1,
      }),
    ).rejects.toMatchObject({ code: ErrorCode.Bundle });
    expect(readFileSync(path.join(dir, BUNDLE_FILES.manifest), 'utf8')).toBe(before);
    expect(readdirSync(parent)).toEqual(['model']);
  });

  it('refuses to replace a directory that is not a bundle', async () => {
    const dir = path.join(work, 'not-a-bundle');
    await mkdir(dir);
    writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    const parts = await trainedParts();
    await expect(
      saveBundle(dir, {
        tf,
        model: parts.composed.model,
        spec,
        task,
        encoders: parts.encoders,
        fusion: parts.fusion,
        seed: 1,
      }),
    ).rejects.toMatchObject({ code: ErrorCode.Bundle, file: dir });
    expect(readdirSync(dir)).toEqual(['notes.txt']);
  });

  it('names the plugin and the package to install when a plugin is not registered', async () => {
    const dir = path.join(work, 'missing-plugin');
    await save(dir);
    const partial = createRegistry([testVectorEncoderPlugin, testGatedFusionPlugin]);
    const error = await loadBundle(dir, { registry: partial, tf }).catch((e: unknown) => e);
    expect(OmnifuseError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: ErrorCode.PluginNotFound, plugin: 'test:tokens' });
    expect((error as Error).message).toContain('npm install @omnifuse/test-tokens');
  });

  describe('corrupt bundles', () => {
    const corrupt = async (name: string, damage: (dir: string) => void) => {
      const dir = path.join(work, name);
      await save(dir);
      damage(dir);
      return loadBundle(dir, { registry, tf }).catch((e: unknown) => e as OmnifuseError);
    };
    const file = (dir: string, name: string) => path.join(dir, name);

    it('a manifest that is not JSON', async () => {
      let dir = '';
      const error = await corrupt('bad-json', (d) => {
        dir = d;
        writeFileSync(file(d, BUNDLE_FILES.manifest), '{ "format": ');
      });
      expect(error).toMatchObject({ code: ErrorCode.Bundle, file: file(dir, BUNDLE_FILES.manifest) });
    });

    it('a missing weights file', async () => {
      let dir = '';
      const error = await corrupt('no-weights', (d) => {
        dir = d;
        rmSync(file(d, BUNDLE_FILES.weights));
      });
      expect(error).toMatchObject({ code: ErrorCode.Bundle, file: file(dir, BUNDLE_FILES.weights) });
    });

    it('a truncated weights file', async () => {
      const error = await corrupt('short-weights', (d) => {
        const bytes = readFileSync(file(d, BUNDLE_FILES.weights));
        writeFileSync(file(d, BUNDLE_FILES.weights), bytes.subarray(0, bytes.length - 8));
      });
      expect(error).toMatchObject({ code: ErrorCode.Bundle });
      expect((error as Error).message).toContain('truncated');
    });

    it('a newer format version', async () => {
      const error = await corrupt('newer', (d) => {
        const manifest = JSON.parse(readFileSync(file(d, BUNDLE_FILES.manifest), 'utf8'));
        writeFileSync(file(d, BUNDLE_FILES.manifest), JSON.stringify({ ...manifest, formatVersion: 99 }));
      });
      expect(error).toMatchObject({ code: ErrorCode.Bundle, expected: 1, found: 99 });
      expect((error as Error).message).toContain('newer omnifuse');
    });

    it('a manifest field of the wrong type', async () => {
      const error = await corrupt('bad-field', (d) => {
        const manifest = JSON.parse(readFileSync(file(d, BUNDLE_FILES.manifest), 'utf8'));
        writeFileSync(file(d, BUNDLE_FILES.manifest), JSON.stringify({ ...manifest, seed: 'eleven' }));
      });
      expect(error).toMatchObject({ code: ErrorCode.Bundle, path: 'seed' });
    });

    it('weights whose shapes do not fit the model', async () => {
      const error = await corrupt('bad-shape', (d) => {
        const json = JSON.parse(readFileSync(file(d, BUNDLE_FILES.topology), 'utf8'));
        const weights = json.weightsManifest[0].weights;
        // Swap two entries' names: same byte count, wrong shapes.
        const [a, b] = [weights[0].name, weights[1].name];
        weights[0].name = b;
        weights[1].name = a;
        writeFileSync(file(d, BUNDLE_FILES.topology), JSON.stringify(json));
      });
      expect(error).toMatchObject({ code: ErrorCode.Bundle });
      expect((error as Error).message).toContain('shape');
    });
  });
});
