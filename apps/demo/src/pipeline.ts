import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  type Dataset,
  ErrorCode,
  type FieldType,
  hashSeed,
  loadManifest,
  type ModelSpecInput,
  OmnifuseError,
  type PluginList,
  writeFileAtomic,
} from '@omnifuse/core';
import attentionPlugins from '@omnifuse/fusion-attention';
import audioPlugins from '@omnifuse/modality-audio';
import textPlugins from '@omnifuse/modality-text';
import visionPlugins from '@omnifuse/modality-vision';
import { type EvaluationMetrics, train } from '@omnifuse/trainer';

/** The plugins every demo model is built from, given in code. */
export const demoPlugins: PluginList = [
  ...visionPlugins,
  ...audioPlugins,
  ...textPlugins,
  ...attentionPlugins,
];

/** What `runPipeline` needs; the sizes apply to the generated set only. */
export interface PipelineOptions {
  /** Working folder: `data/` (generated set), `model/` (bundle), `report/`, `run.json`. */
  readonly out: string;
  /** An AV-MNIST-style folder with `manifest.jsonl` to use instead of the generated set. */
  readonly data?: string;
  readonly train?: number;
  readonly validation?: number;
  readonly test?: number;
  readonly epochs?: number;
  readonly seed?: number;
  /** The input fields; default: those named image, audio, hint or text (see `demoSpec`). */
  readonly inputs?: readonly string[];
  /** Rebuild the data set and retrain even when `out` holds a run with the same settings. */
  readonly fresh?: boolean;
  /** Also train each input alone and score it, for comparison (stored in `run.json`). */
  readonly baselines?: boolean;
  /** Training progress on stderr (a bar on a terminal, JSON lines otherwise). */
  readonly progress?: boolean;
  /** One line per step, for the console. */
  readonly log?: (line: string) => void;
}

export interface PipelineResult {
  readonly dataDir: string;
  readonly manifestPath: string;
  readonly bundleDir: string;
  readonly reportDir: string;
  /** The model's input fields, in spec order. */
  readonly inputFields: readonly string[];
  /** Test-split metrics, whole and with each input left out. */
  readonly evaluation: DemoEvaluation;
  /** True when an earlier run with the same settings was reused. */
  readonly reused: boolean;
}

export interface DemoEvaluation {
  readonly accuracy: number;
  readonly macroF1: number | null;
  readonly testSize: number;
  /** Test accuracy with one input removed from every record (the model sees it as missing). */
  readonly without: Readonly<Record<string, number>>;
  /** Mean fusion weight of each input over the test split. */
  readonly meanFusionWeights: Readonly<Record<string, number>> | null;
  readonly trainSeconds: number;
  readonly epochs: number;
  /** Test accuracy of each input alone (same encoder and settings, no fusion), with `--baselines`. */
  readonly baselines?: Readonly<Record<string, number>>;
}

export const DEMO_DEFAULTS = { train: 2000, validation: 300, test: 500, epochs: 8, seed: 1 } as const;

/** Field types of the generated set (`hint` is short, so inference would call it a category). */
const GENERATED_FIELD_TYPES: Record<string, FieldType> = {
  image: 'image',
  audio: 'audio',
  hint: 'text',
  label: 'category',
  split: 'category',
};

/** Builds (or reuses) the data, trains (or reuses) the model, and scores it on the test split. */
export async function runPipeline(options: PipelineOptions): Promise<PipelineResult> {
  const log = options.log ?? (() => {});
  const out = path.resolve(options.out);
  mkdirSync(out, { recursive: true });
  const settings = {
    train: options.train ?? DEMO_DEFAULTS.train,
    validation: options.validation ?? DEMO_DEFAULTS.validation,
    test: options.test ?? DEMO_DEFAULTS.test,
    epochs: options.epochs ?? DEMO_DEFAULTS.epochs,
    seed: options.seed ?? DEMO_DEFAULTS.seed,
  };

  const dataDir = options.data ? path.resolve(options.data) : path.join(out, 'data');
  const manifestPath = path.join(dataDir, 'manifest.jsonl');
  if (options.data) {
    if (!existsSync(manifestPath)) {
      throw new OmnifuseError({
        code: ErrorCode.Manifest,
        message: `--data ${dataDir} has no manifest.jsonl (build one with examples/av-mnist/build-dataset.mjs)`,
        file: manifestPath,
      });
    }
  } else {
    await ensureGeneratedData(dataDir, settings, options.fresh === true, options.progress ?? true, log);
  }

  // A digit label reads as a number; the demo classifies it.
  const dataset = await loadManifest(manifestPath, {
    fieldTypes: options.data ? { label: 'category', split: 'category' } : GENERATED_FIELD_TYPES,
  });
  const spec = demoSpec(dataset, { ...settings, inputs: options.inputs });
  const inputFields = spec.inputs.map((input) => input.field);
  const bundleDir = path.join(out, 'model');
  const reportDir = path.join(out, 'report');
  const runFile = path.join(out, 'run.json');
  const fingerprint = hashSeed(JSON.stringify({ spec, dataDir, data: dataFingerprint(dataDir) })).toString(
    16,
  );
  const previous = readJson<{ fingerprint?: string; evaluation?: DemoEvaluation }>(runFile);
  const progress = options.progress ?? true;
  let evaluation: DemoEvaluation;
  let reused: boolean;
  if (
    !options.fresh &&
    previous?.fingerprint === fingerprint &&
    previous.evaluation &&
    existsSync(path.join(bundleDir, 'omnifuse.json')) &&
    existsSync(path.join(reportDir, 'report.html'))
  ) {
    log(`reusing the model in ${bundleDir} (same data and settings; --fresh retrains)`);
    evaluation = previous.evaluation;
    reused = true;
  } else {
    log(
      `training ${spec.inputs.map((i) => `${i.field} (${i.encoder})`).join(' + ')} with ${spec.fusion?.type ?? 'no fusion'} for ${settings.epochs} epochs`,
    );
    const started = performance.now();
    const result = await train({ spec, dataset, registry: demoPlugins, bundleDir, reportDir, progress });
    const trainSeconds = (performance.now() - started) / 1000;
    try {
      evaluation = await evaluateModel(result.model, dataset, result.metrics.test, {
        trainSeconds,
        epochs: result.history.epochs.length,
      });
    } finally {
      result.model.dispose();
    }
    reused = false;
    await writeFileAtomic(
      runFile,
      `${JSON.stringify({ fingerprint, settings, spec, evaluation }, null, 2)}\n`,
    );
  }
  if (options.baselines && spec.inputs.length > 1 && !evaluation.baselines) {
    evaluation = { ...evaluation, baselines: await trainBaselines(spec, dataset, progress, log) };
    await writeFileAtomic(
      runFile,
      `${JSON.stringify({ fingerprint, settings, spec, evaluation }, null, 2)}\n`,
    );
  }
  return { dataDir, manifestPath, bundleDir, reportDir, inputFields, evaluation, reused };
}

/**
 * Each input alone: the same encoder, head and training settings without fusion, scored on the
 * test split, so the fusion model's accuracy has something to be compared with.
 */
async function trainBaselines(
  spec: ModelSpecInput,
  dataset: Dataset,
  progress: boolean,
  log: (line: string) => void,
): Promise<Record<string, number>> {
  const { fusion: _fusion, ...rest } = spec;
  const baselines: Record<string, number> = {};
  for (const input of spec.inputs) {
    log(`baseline: ${input.field} (${input.encoder}) alone`);
    const result = await train({
      spec: { ...rest, inputs: [input] },
      dataset,
      registry: demoPlugins,
      progress,
    });
    result.model.dispose();
    baselines[input.field] =
      result.metrics.test?.accuracy ?? result.metrics.validation?.accuracy ?? Number.NaN;
  }
  return baselines;
}

async function ensureGeneratedData(
  dataDir: string,
  settings: { train: number; validation: number; test: number; seed: number },
  fresh: boolean,
  progress: boolean,
  log: (line: string) => void,
): Promise<void> {
  const { seed, ...counts } = settings;
  const existing = readJson<{ counts?: Record<string, number>; settings?: { seed?: number } }>(
    path.join(dataDir, 'dataset.json'),
  );
  const same =
    existing?.settings?.seed === seed &&
    (['train', 'validation', 'test'] as const).every((split) => existing.counts?.[split] === counts[split]);
  if (!fresh && same && existsSync(path.join(dataDir, 'manifest.jsonl'))) {
    log(`reusing the data set in ${dataDir}`);
    return;
  }
  const { buildDemoDataset } = await import('./dataset/index.js');
  log(
    `building ${counts.train + counts.validation + counts.test} examples (MNIST digits, synthesised speech, noisy hints) in ${dataDir}`,
  );
  const bar = progress ? progressLine('data') : { update: () => {}, done: () => {} };
  const summary = await buildDemoDataset({ out: dataDir, ...settings, onProgress: bar.update });
  bar.done();
  log(
    `built in ${summary.seconds.toFixed(1)} s: hints missing ${summary.hints.missing}, wrong ${summary.hints.wrong} of ${summary.hints.total}`,
  );
}

/** LeNet on 28×28 grey digits; any image is flattened onto black and resized. */
const IMAGE_OPTIONS = {
  preset: 'lenet',
  inChannels: 1,
  baseFilters: 6,
  extraBlocks: 3,
  preprocess: { size: { width: 28, height: 28 }, channels: 1, background: '#000000' },
};

/** A small 2-D CNN over 20 MFCCs of 1.5 s at 8 kHz, peak-normalised (recordings vary in level). */
const AUDIO_OPTIONS = {
  preprocess: {
    sampleRate: 8000,
    duration: 1.5,
    crop: 'centre',
    gain: { mode: 'peak', target: 0.9 },
    features: { kind: 'mfcc', nFft: 512, hopLength: 128, nMels: 40, nMfcc: 20, cmvn: true },
  },
  baseFilters: 6,
  extraBlocks: 3,
  firstKernel: 5,
  head: 'flatten',
};

/** Character n-grams within words, so "7", "seven" and "sevn" all carry signal. */
const TEXT_OPTIONS = {
  tfidf: { analyzer: 'char_wb', ngramRange: [1, 3], sublinearTf: true },
  projection: { units: 32, dropout: 0.2 },
};

/** Fields that name, label or split a record, never model inputs. */
const NOT_INPUTS = new Set(['id', 'label', 'split']);
/** The inputs the demo looks for by name; a set with none of them uses every typed field. */
const USUAL_INPUTS = ['image', 'audio', 'hint', 'text'];

const ENCODERS: Partial<Record<FieldType, { encoder: string; options: Record<string, unknown> }>> = {
  image: { encoder: 'vision:cnn', options: IMAGE_OPTIONS },
  audio: { encoder: 'audio:cnn2d', options: AUDIO_OPTIONS },
  text: { encoder: 'text:tfidf', options: TEXT_OPTIONS },
};

/**
 * The demo model: each input field gets its modality's encoder (all optional, so a request may
 * leave any out), fused by attention, which reports how much each input contributed. The inputs
 * are `settings.inputs`, else the fields named image, audio, hint or text, else every image,
 * audio and text field (AV-MNIST manifests carry bookkeeping fields such as the source clip's name).
 */
export function demoSpec(
  dataset: Dataset,
  settings: { readonly epochs: number; readonly seed: number; readonly inputs?: readonly string[] },
): ModelSpecInput {
  const found = () => dataset.fields.map((f) => `${f} (${dataset.fieldTypes[f]})`).join(', ');
  const usual = USUAL_INPUTS.filter((field) => dataset.fields.includes(field));
  const chosen =
    settings.inputs ??
    (usual.length > 0
      ? usual
      : dataset.fields.filter((f) => !NOT_INPUTS.has(f) && ENCODERS[dataset.fieldTypes[f]!]));
  const inputs: ModelSpecInput['inputs'][number][] = chosen.map((field) => {
    const encoder = dataset.fields.includes(field) ? ENCODERS[dataset.fieldTypes[field]!] : undefined;
    if (!encoder || NOT_INPUTS.has(field)) {
      throw new OmnifuseError({
        code: ErrorCode.InvalidConfig,
        message: `input "${field}" must be an image, audio or text field of the data; found ${found()}`,
        field,
        file: dataset.source,
      });
    }
    return { field, encoder: encoder.encoder, optional: true, options: encoder.options };
  });
  if (inputs.length === 0 || !dataset.fields.includes('label')) {
    throw new OmnifuseError({
      code: ErrorCode.Manifest,
      message: `the demo needs a "label" field and at least one image, audio or text field; found ${found()}`,
      file: dataset.source,
    });
  }
  return {
    inputs,
    fusion: { type: 'fusion:attention', options: { dim: 64, hidden: 32, modalityDropout: 0.5 } },
    output: { type: 'classification', field: 'label', head: { hidden: [64], dropout: 0.2 } },
    split: dataset.fields.includes('split')
      ? { type: 'column', column: 'split' }
      : { type: 'random', ratios: { train: 0.7, validation: 0.1, test: 0.2 }, seed: settings.seed },
    training: {
      epochs: settings.epochs,
      batchSize: 64,
      learningRate: 0.005,
      optimizer: 'adamw',
      lrSchedule: { type: 'cosine', warmupEpochs: 1 },
      seed: settings.seed,
      restoreBestWeights: true,
    },
  };
}

interface ScoringModel {
  evaluate(
    records: readonly Record<string, unknown>[],
    options: { root: string },
  ): Promise<EvaluationMetrics>;
  predict(
    records: readonly Record<string, unknown>[],
    options: { root: string },
  ): Promise<readonly { readonly fusionWeights?: Readonly<Record<string, number>> }[]>;
  readonly spec: { readonly inputs: readonly { readonly field: string }[] };
}

/** Scores the model on the test split, whole and with each input removed, and averages its fusion weights. */
async function evaluateModel(
  model: ScoringModel,
  dataset: Dataset,
  test: EvaluationMetrics | undefined,
  timing: { trainSeconds: number; epochs: number },
): Promise<DemoEvaluation> {
  const records = dataset.records.filter((record) => record.split === 'test') as Record<string, unknown>[];
  const scored = records.length > 0 ? records : (dataset.records as Record<string, unknown>[]);
  const whole = test ?? (await model.evaluate(scored, { root: dataset.root }));
  const without: Record<string, number> = {};
  const fields = model.spec.inputs.map((input) => input.field);
  if (fields.length > 1) {
    for (const field of fields) {
      const stripped = scored.map(({ [field]: _left, ...rest }) => rest);
      without[field] = (await model.evaluate(stripped, { root: dataset.root })).accuracy ?? Number.NaN;
    }
  }
  const predictions = await model.predict(scored, { root: dataset.root });
  const weights = predictions.map((p) => p.fusionWeights).filter((w) => w !== undefined);
  const meanFusionWeights =
    weights.length > 0
      ? Object.fromEntries(
          fields.map((f) => [f, weights.reduce((sum, w) => sum + (w[f] ?? 0), 0) / weights.length]),
        )
      : null;
  return {
    accuracy: whole.accuracy ?? Number.NaN,
    macroF1: whole.macroF1 ?? null,
    testSize: scored.length,
    without,
    meanFusionWeights,
    trainSeconds: timing.trainSeconds,
    epochs: timing.epochs,
  };
}

/** A hash of the manifest, so a rebuilt or edited data set retrains. */
function dataFingerprint(dataDir: string): string {
  const manifest = readFileSync(path.join(dataDir, 'manifest.jsonl'));
  return hashSeed(manifest.toString('latin1')).toString(16);
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** A one-line progress bar on a terminal, JSON lines (every 10%) otherwise. */
export function progressLine(label: string, stream: NodeJS.WriteStream = process.stderr) {
  let lastDecile = -1;
  let lastDraw = 0;
  return {
    update(done: number, total: number) {
      const fraction = total > 0 ? done / total : 1;
      if (stream.isTTY) {
        const now = Date.now();
        if (now - lastDraw < 100 && done < total) return;
        lastDraw = now;
        const width = 30;
        const filled = Math.round(fraction * width);
        stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
        return;
      }
      const decile = Math.floor(fraction * 10);
      if (decile === lastDecile) return;
      lastDecile = decile;
      stream.write(`${JSON.stringify({ event: label, done, total })}\n`);
    },
    done() {
      if (stream.isTTY) stream.write('\n');
    },
  };
}
