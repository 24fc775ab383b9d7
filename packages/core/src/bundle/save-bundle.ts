import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import type { SkippedRecords } from '../check/report.js';
import type { FittedEncoder } from '../compose/compose-model.js';
import { ErrorCode, inPluginStepSync, OmnifuseError } from '../errors.js';
import type { ModelSpec } from '../model-spec.js';
import type { Registry } from '../registry.js';
import type { FusionV1 } from '../spec/fusion.js';
import type { PluginKind } from '../spec/plugin.js';
import type { TaskSpec } from '../spec/task.js';
import type { TrainingHistory } from '../spec/trainer.js';
import {
  BUNDLE_FILES,
  BUNDLE_FORMAT,
  BUNDLE_FORMAT_VERSION,
  type BundleManifest,
  type BundlePluginRef,
} from './manifest.js';
import { installedPackageVersion } from './package-version.js';
import { encodeModelWeights, modelJson } from './weights.js';

export interface SaveBundleArgs {
  readonly tf: typeof tfTypes;
  /** The trained model, as `composeModel` built it from `spec`, `encoders` and `fusion`. */
  readonly model: tfTypes.LayersModel;
  readonly spec: ModelSpec;
  /** The task with its fitted label order. */
  readonly task: TaskSpec;
  readonly encoders: Readonly<Record<string, FittedEncoder>>;
  readonly fusion?: FusionV1;
  /** Whether the fusion produced weights (the loaded bundle then has an `inspect` model). */
  readonly hasFusionWeights?: boolean;
  /** Seed the model was composed with. */
  readonly seed: number;
  /** Trainer that fitted the model, recorded for provenance. */
  readonly trainer?: { readonly id: string };
  /** Where plugin package names come from; their versions are looked up from `packageDir`. */
  readonly registry?: Registry;
  /** Folder installed plugin packages are resolved from; defaults to the working directory. */
  readonly packageDir?: string;
  readonly metrics?: Readonly<Record<string, unknown>>;
  readonly history?: TrainingHistory;
  /** Field types of the training data (inputs and target), to read prediction records the same way. */
  readonly fieldTypes?: Readonly<Record<string, string>>;
  /** Records left out of training under `onInvalid: "skip"` (kept in the manifest's `data.skipped`). */
  readonly skipped?: SkippedRecords;
}

type SkippedManifest = NonNullable<NonNullable<BundleManifest['data']>['skipped']>;

export interface SavedBundle {
  readonly dir: string;
  readonly manifest: BundleManifest;
}

/**
 * Writes a model bundle directory — `omnifuse.json`, `model.json`, `weights.bin` — atomically:
 * everything goes into a sibling temporary directory that is then renamed into place, and an
 * existing bundle is first renamed away and removed only after the new one is in, so `dir` never
 * holds a half-written bundle. A directory at `dir` that is neither empty nor a bundle is refused.
 */
export async function saveBundle(dir: string, args: SaveBundleArgs): Promise<SavedBundle> {
  const target = path.resolve(dir);
  await assertReplaceable(target);
  const { data, specs } = await encodeModelWeights(args.tf, args.model);
  const manifest = bundleManifest(args);
  const topology = modelJson(args.tf, args.model, specs, BUNDLE_FILES.weights);

  const parent = path.dirname(target);
  await mkdir(parent, { recursive: true });
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const staging = path.join(parent, `.${path.basename(target)}.tmp-${suffix}`);
  await mkdir(staging);
  try {
    await writeDurably(path.join(staging, BUNDLE_FILES.weights), data);
    await writeDurably(path.join(staging, BUNDLE_FILES.topology), JSON.stringify(topology));
    await writeDurably(path.join(staging, BUNDLE_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
    await syncDirectory(staging);
    await swapIntoPlace(staging, target, suffix);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    if (OmnifuseError.isInstance(error)) throw error;
    throw new OmnifuseError({
      code: ErrorCode.Bundle,
      message: `could not write the bundle: ${(error as Error).message}`,
      file: target,
      cause: error,
    });
  }
  await syncDirectory(parent);
  return { dir: target, manifest };
}

function bundleManifest(args: SaveBundleArgs): BundleManifest {
  const { spec, task, tf } = args;
  const encoders: BundleManifest['encoders'] = {};
  const plugins: BundlePluginRef[] = [];
  const addPlugin = (kind: PluginKind, id: string, version: string | null) => {
    if (plugins.some((p) => p.kind === kind && p.id === id)) return;
    const packageName = args.registry?.has(kind, id)
      ? (args.registry.get(kind, id).packageName ?? null)
      : null;
    const packageVersion = packageName ? installedPackageVersion(packageName, args.packageDir) : null;
    plugins.push({ kind, id, packageName, packageVersion, version });
  };
  for (const input of spec.inputs) {
    const fitted = args.encoders[input.field];
    if (!fitted) {
      throw new OmnifuseError({
        code: ErrorCode.Bundle,
        message: `no fitted encoder for input field "${input.field}"`,
        field: input.field,
      });
    }
    const { encoder, state } = fitted;
    const featureSpec = inPluginStepSync(
      { plugin: encoder.id, step: 'featureSpec', field: input.field },
      () => encoder.featureSpec(state),
    );
    encoders[input.field] = {
      id: encoder.id,
      version: encoder.version,
      options: jsonCopy(encoder.options, `encoder options of field "${input.field}"`),
      state: jsonCopy(state, `fitted state of field "${input.field}"`),
      featureSpec: { dtype: featureSpec.dtype, shape: [...featureSpec.shape] },
    };
    addPlugin('encoder', encoder.id, encoder.version);
  }
  if (args.fusion) addPlugin('fusion', args.fusion.id, args.fusion.version);
  if (args.trainer) addPlugin('trainer', args.trainer.id, null);
  return {
    format: BUNDLE_FORMAT,
    formatVersion: BUNDLE_FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    tfjsVersion: tf.version?.tfjs ?? null,
    spec: jsonCopy(spec, 'model spec') as Record<string, unknown>,
    task: { type: task.type, field: task.field, labels: [...(task.labels ?? [])] },
    seed: args.seed,
    plugins,
    encoders,
    fusion: args.fusion
      ? {
          id: args.fusion.id,
          version: args.fusion.version,
          options: jsonCopy(args.fusion.options, 'fusion options'),
        }
      : null,
    trainer: args.trainer ? { id: args.trainer.id } : null,
    model: {
      inputNames: [...args.model.inputNames],
      outputUnits: args.model.outputs[0]!.shape.at(-1) as number,
      hasFusionWeights: args.hasFusionWeights ?? false,
    },
    ...(args.fieldTypes
      ? {
          data: {
            fieldTypes: { ...args.fieldTypes },
            ...(args.skipped && args.skipped.count > 0
              ? { skipped: jsonCopy(args.skipped, 'skipped records') as SkippedManifest }
              : {}),
          },
        }
      : {}),
    metrics: jsonCopy(args.metrics ?? {}, 'metrics') as Record<string, unknown>,
    ...(args.history ? { history: jsonCopy(args.history, 'history') } : {}),
  };
}

/** A JSON round trip, so the manifest holds exactly what loading will see. */
function jsonCopy<T>(value: T, what: string): T {
  try {
    return JSON.parse(JSON.stringify(value ?? null)) as T;
  } catch (error) {
    throw new OmnifuseError({
      code: ErrorCode.Bundle,
      message: `the ${what} is not JSON-serializable: ${(error as Error).message}`,
      cause: error,
    });
  }
}

async function assertReplaceable(target: string): Promise<void> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(target);
  } catch {
    return;
  }
  if (!info.isDirectory()) {
    throw new OmnifuseError({
      code: ErrorCode.Bundle,
      message: 'the bundle path exists and is not a directory',
      file: target,
    });
  }
  const entries = await readdir(target);
  if (entries.length > 0 && !entries.includes(BUNDLE_FILES.manifest)) {
    throw new OmnifuseError({
      code: ErrorCode.Bundle,
      message: `refusing to replace a directory that is not an omnifuse bundle (no ${BUNDLE_FILES.manifest})`,
      file: target,
    });
  }
}

async function swapIntoPlace(staging: string, target: string, suffix: string): Promise<void> {
  if (!existsSync(target)) {
    await rename(staging, target);
    return;
  }
  const old = path.join(path.dirname(target), `.${path.basename(target)}.old-${suffix}`);
  await rename(target, old);
  try {
    await rename(staging, target);
  } catch (error) {
    await rename(old, target).catch(() => undefined);
    throw error;
  }
  await rm(old, { recursive: true, force: true });
}

async function writeDurably(file: string, contents: string | Uint8Array): Promise<void> {
  const handle = await open(file, 'w');
  try {
    await handle.writeFile(contents);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** fsync a directory so renames inside it survive a crash; not every platform allows it. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows cannot open directories; the rename is still atomic there.
  }
}
