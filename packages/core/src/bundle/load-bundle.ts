import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { type ComposedInput, composeModel, type FittedEncoder } from '../compose/compose-model.js';
import { ErrorCode, inPluginStepSync, OmnifuseError } from '../errors.js';
import { stableStringify } from '../hash.js';
import { type ModelSpec, parseModelSpec } from '../model-spec.js';
import type { Registry } from '../registry.js';
import type { FusionV1 } from '../spec/fusion.js';
import type { TaskSpec } from '../spec/task.js';
import { BUNDLE_FILES, type BundleManifest, parseBundleManifest } from './manifest.js';
import { type ModelJson, restoreModelWeights, type WeightSpec } from './weights.js';

export interface LoadBundleOptions {
  /** Provides the encoder and fusion plugins the bundle names. */
  readonly registry: Registry;
  readonly tf: typeof tfTypes;
}

/** A bundle rebuilt in memory: the model with its weights, and the fitted encoders to feed it. */
export interface LoadedBundle {
  readonly dir: string;
  readonly manifest: BundleManifest;
  readonly spec: ModelSpec;
  /** The task with its label order. */
  readonly task: TaskSpec & { readonly labels: readonly string[] };
  readonly model: tfTypes.LayersModel;
  /** Outputs `[prediction, fusionWeights]`, when the fusion method has weights. */
  readonly inspect: tfTypes.LayersModel | null;
  readonly inputNames: readonly string[];
  readonly inputs: readonly ComposedInput[];
  /** Per input field, the encoder re-created from its plugin and the fitted state from the bundle. */
  readonly encoders: Readonly<Record<string, FittedEncoder>>;
  readonly fusion?: FusionV1;
  /** `model.json` as saved (tfjs topology and weights manifest), for inspection. */
  readonly topology: ModelJson;
  /** Things that loaded but may change predictions, e.g. a plugin version other than the saved one. */
  readonly warnings: readonly string[];
}

/**
 * Loads a bundle written by `saveBundle`: validates `omnifuse.json`, re-creates each encoder and the
 * fusion through the registry (a plugin that is not registered is a PluginNotFound error naming
 * the package to install), composes the model from the spec and the fitted states — so custom
 * layers need no class registration — and writes the saved weights into it by name.
 */
export async function loadBundle(dir: string, options: LoadBundleOptions): Promise<LoadedBundle> {
  const { registry, tf } = options;
  const root = path.resolve(dir);
  const manifestFile = path.join(root, BUNDLE_FILES.manifest);
  const manifest = parseBundleManifest(await readJson(manifestFile), manifestFile);
  const topologyFile = path.join(root, BUNDLE_FILES.topology);
  const topology = (await readJson(topologyFile)) as ModelJson;
  const weightSpecs = topologyWeights(topology, topologyFile);
  const weightsFile = path.join(root, BUNDLE_FILES.weights);
  const weightData = await readBytes(weightsFile);

  const spec = bundleSpec(manifest, manifestFile);
  assertPluginsAvailable(manifest, registry);
  const warnings: string[] = [];
  const encoders: Record<string, FittedEncoder> = {};
  for (const input of spec.inputs) {
    const saved = manifest.encoders[input.field];
    if (!saved) {
      throw new OmnifuseError({
        code: ErrorCode.Bundle,
        message: `the manifest has no fitted encoder for input field "${input.field}"`,
        file: manifestFile,
        field: input.field,
      });
    }
    const plugin = registry.encoder(saved.id);
    const encoder = inPluginStepSync({ plugin: saved.id, step: 'create', field: input.field }, () =>
      plugin.create(input.options),
    );
    if (encoder.version !== saved.version) {
      warnings.push(
        `encoder ${saved.id} of field "${input.field}" is version ${encoder.version}; the bundle was trained with ${saved.version}`,
      );
    }
    if (stableStringify(encoder.options) !== stableStringify(saved.options)) {
      warnings.push(
        `encoder ${saved.id} of field "${input.field}" resolved other options than at training time`,
      );
    }
    const featureSpec = inPluginStepSync({ plugin: saved.id, step: 'featureSpec', field: input.field }, () =>
      encoder.featureSpec(saved.state),
    );
    if (stableStringify(featureSpec) !== stableStringify(saved.featureSpec)) {
      throw new OmnifuseError({
        code: ErrorCode.Bundle,
        message: `encoder ${saved.id} gives field "${input.field}" another feature shape than at training time`,
        file: manifestFile,
        plugin: saved.id,
        field: input.field,
        expected: saved.featureSpec,
        found: featureSpec,
      });
    }
    encoders[input.field] = { encoder, state: saved.state };
  }
  let fusion: FusionV1 | undefined;
  if (manifest.fusion) {
    const saved = manifest.fusion;
    fusion = inPluginStepSync({ plugin: saved.id, step: 'create' }, () =>
      registry.fusion(saved.id).create(spec.fusion?.options),
    );
    if (fusion.version !== saved.version) {
      warnings.push(
        `fusion ${saved.id} is version ${fusion.version}; the bundle was trained with ${saved.version}`,
      );
    }
  }

  const task = { ...manifest.task, labels: manifest.task.labels };
  const composed = composeModel({ tf, spec, encoders, fusion, task, seed: manifest.seed });
  if (stableStringify(composed.inputNames) !== stableStringify(manifest.model.inputNames)) {
    throw new OmnifuseError({
      code: ErrorCode.Bundle,
      message: 'the model rebuilt from the spec has other inputs than the saved one',
      file: manifestFile,
      expected: manifest.model.inputNames,
      found: composed.inputNames,
    });
  }
  restoreModelWeights(tf, composed.model, weightSpecs, weightData, weightsFile);
  return {
    dir: root,
    manifest,
    spec,
    task,
    model: composed.model,
    inspect: composed.inspect,
    inputNames: composed.inputNames,
    inputs: composed.inputs,
    encoders,
    fusion,
    topology,
    warnings,
  };
}

/** Every encoder and fusion plugin the bundle needs, checked up front so one error names them all. */
function assertPluginsAvailable(manifest: BundleManifest, registry: Registry): void {
  const needed = manifest.plugins.filter((p) => p.kind !== 'trainer');
  const missing = needed.filter((p) => !registry.has(p.kind, p.id));
  if (missing.length === 0) return;
  const first = missing[0]!;
  const packages = [...new Set(missing.map((p) => p.packageName).filter((n): n is string => Boolean(n)))];
  const describe = (p: (typeof missing)[number]) =>
    `${p.kind} plugin "${p.id}"${p.packageName ? ` from ${p.packageName}${p.packageVersion ? `@${p.packageVersion}` : ''}` : ''}`;
  throw new OmnifuseError({
    code: ErrorCode.PluginNotFound,
    message:
      `the bundle needs ${missing.map(describe).join(', ')}, which ${missing.length > 1 ? 'are' : 'is'} not registered` +
      (packages.length > 0
        ? `; install it with: npm install ${packages.join(' ')} (and add it to the registry or the spec's plugins)`
        : ''),
    plugin: first.id,
    details: { missing, packages },
  });
}

function bundleSpec(manifest: BundleManifest, file: string): ModelSpec {
  try {
    return parseModelSpec(manifest.spec, file);
  } catch (error) {
    throw new OmnifuseError({
      code: ErrorCode.Bundle,
      message: `the bundle's model spec is invalid: ${(error as Error).message}`,
      file,
      cause: error,
    });
  }
}

function topologyWeights(topology: ModelJson, file: string): WeightSpec[] {
  const group = Array.isArray(topology?.weightsManifest) ? topology.weightsManifest[0] : undefined;
  const weights = group?.weights;
  if (!Array.isArray(weights) || topology.weightsManifest.length !== 1) {
    throw new OmnifuseError({
      code: ErrorCode.Bundle,
      message: 'model.json has no single weights manifest group',
      file,
    });
  }
  for (const w of weights) {
    if (!w || typeof w.name !== 'string' || !Array.isArray(w.shape) || typeof w.dtype !== 'string') {
      throw new OmnifuseError({
        code: ErrorCode.Bundle,
        message: 'model.json has a malformed weight entry',
        file,
        found: w,
      });
    }
  }
  return weights;
}

async function readJson(file: string): Promise<unknown> {
  const bytes = await readBytes(file);
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new OmnifuseError({
      code: ErrorCode.Bundle,
      message: `corrupt bundle file: ${(error as Error).message}`,
      file,
      cause: error,
    });
  }
}

async function readBytes(file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new OmnifuseError({
      code: ErrorCode.Bundle,
      message: missing
        ? 'the bundle is missing a file (is this a model bundle directory?)'
        : 'cannot read bundle file',
      file,
      cause: error,
    });
  }
}
