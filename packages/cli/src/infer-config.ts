import {
  type Dataset,
  ErrorCode,
  type FieldSummary,
  type ModelSpecInput,
  OmnifuseError,
  TEXT_MIN_MEAN_TOKENS,
} from '@omnifuse/core';
import { audioInputFor, imageInputFor } from './data-sized-inputs.js';
import type { MediaSample, NoMediaSample } from './media-sample.js';

/** What `init` decided about one field, and why, for the user to read. */
export interface FieldDecision {
  readonly field: string;
  readonly type: string;
  /** `input`, `output`, or `skipped`. */
  readonly role: 'input' | 'output' | 'skipped';
  /** Encoder id for an input, output type for the output. */
  readonly choice?: string;
  readonly why: string;
}

export interface InferredConfig {
  readonly config: ModelSpecInput & { $schema?: string };
  readonly fields: readonly FieldDecision[];
  /** Lines about fusion, split and training, for the user to read. */
  readonly notes: readonly string[];
}

export interface InferConfigOptions {
  /** The field to predict; guessed when not given. */
  readonly label?: string;
  /** The manifest path as the config should name it (relative to the config). */
  readonly data: string;
  readonly schemaRef?: string;
  /** Fields to leave out of the model (provenance columns, leaks of the label, notes). */
  readonly ignore?: readonly string[];
  /**
   * What a sample of each image and audio field's headers says (`sampleMedia`): the inputs are
   * sized from it. Without it, or for a field it has no sample of, small generic inputs are used.
   */
  readonly media?: Readonly<Record<string, MediaSample | NoMediaSample>>;
}

/** A numeric label with at most this many distinct whole numbers is taken as classes (digits, ratings). */
const MAX_NUMBERED_CLASSES = 20;
/** Label column names tried in order when `--label` is not given. */
const LABEL_NAMES = ['label', 'labels', 'target', 'class', 'y', 'category', 'species', 'output'];
/** Below this many records a text field gets TF-IDF: too little text to learn word embeddings from. */
export const TEXT_CNN_MIN_RECORDS = 5000;
const ID_FIELDS = ['id', 'uid', 'key'];
const SPLIT_FIELDS = ['split', 'fold', 'subset'];
const SPLIT_VALUES = /^(train|training|validation|valid|val|dev|test|testing)$/i;

const ENCODER_PACKAGES: Record<string, string> = {
  vision: '@omnifuse/modality-vision',
  audio: '@omnifuse/modality-audio',
  text: '@omnifuse/modality-text',
  fusion: '@omnifuse/fusion-concat',
};

/**
 * A model config for a dataset, from its inferred field types: one input per usable field with an
 * encoder suited to its type, a fusion when there are several, the output from the label's type, a
 * split (a split column when there is one, else stratified by a category label) and small training
 * defaults. Every choice comes with the reason, for `init` to print.
 */
export function inferConfig(dataset: Dataset, options: InferConfigOptions): InferredConfig {
  const schema = dataset.schema;
  const label = options.label ?? guessLabel(dataset);
  if (!schema[label]) {
    throw new OmnifuseError({
      code: ErrorCode.MissingField,
      message: 'the label field is in no record',
      field: label,
      file: dataset.source,
      expected: dataset.fields,
    });
  }
  const unknown = (options.ignore ?? []).filter((field) => !dataset.fields.includes(field));
  if (unknown.length > 0) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: `--ignore names a field that is in no record: ${unknown.join(', ')}`,
      field: unknown[0],
      file: dataset.source,
      expected: dataset.fields,
      found: unknown,
    });
  }
  const splitColumn = dataset.fields.find(
    (f) => SPLIT_FIELDS.includes(f.toLowerCase()) && f !== label && isSplitColumn(dataset, f),
  );
  const fields: FieldDecision[] = [];
  const inputs: NonNullable<ModelSpecInput['inputs']>[number][] = [];
  const plugins = new Set<string>();

  const output = outputFor(dataset, label, schema[label]!);
  for (const field of dataset.fields) {
    const summary = schema[field]!;
    const type = dataset.fieldTypes[field] ?? summary.type;
    if (field === label) {
      fields.push({ field, type, role: 'output', choice: output.type, why: output.why });
      continue;
    }
    if (field === splitColumn) {
      fields.push({ field, type, role: 'skipped', why: 'split column: it assigns records to splits' });
      continue;
    }
    if (options.ignore?.includes(field)) {
      fields.push({ field, type, role: 'skipped', why: 'left out with --ignore' });
      continue;
    }
    if (ID_FIELDS.includes(field.toLowerCase()) && summary.distinct === summary.present) {
      fields.push({ field, type, role: 'skipped', why: 'record ids (unique per record)' });
      continue;
    }
    const choice = encoderFor(dataset, field, type, summary, options.media?.[field]);
    if (!choice.encoder) {
      fields.push({ field, type, role: 'skipped', why: choice.why });
      continue;
    }
    const optional = summary.missing > 0;
    inputs.push({
      field,
      encoder: choice.encoder,
      ...(choice.options ? { options: choice.options } : {}),
      ...(optional ? { optional: true } : {}),
    });
    const pkg = ENCODER_PACKAGES[choice.encoder.split(':')[0]!];
    if (pkg) plugins.add(pkg);
    fields.push({
      field,
      type,
      role: 'input',
      choice: choice.encoder,
      why: `${choice.why}${optional ? `; ${summary.missing} missing, so optional` : ''}`,
    });
  }
  if (inputs.length === 0) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message: 'no field can be an input: every field besides the label is skipped',
      file: dataset.source,
      details: { fields },
    });
  }

  const notes: string[] = [];
  let fusion: ModelSpecInput['fusion'];
  if (inputs.length > 1) {
    fusion = { type: 'fusion:concat' };
    plugins.add(ENCODER_PACKAGES.fusion!);
    notes.push(`fusion: fusion:concat (${inputs.length} inputs; the simplest fusion, a good baseline)`);
  }
  const split: ModelSpecInput['split'] = splitColumn
    ? { type: 'column', column: splitColumn }
    : output.type === 'classification'
      ? { type: 'stratified', by: label, ratios: { train: 0.7, validation: 0.15, test: 0.15 }, seed: 42 }
      : { type: 'random', ratios: { train: 0.7, validation: 0.15, test: 0.15 }, seed: 42 };
  notes.push(
    split.type === 'column'
      ? `split: the "${splitColumn}" column`
      : split.type === 'stratified'
        ? `split: stratified by "${label}" 70/15/15, seed 42 (every class in every split)`
        : 'split: random 70/15/15, seed 42',
  );
  const batchSize = Math.max(8, Math.min(32, 2 ** Math.floor(Math.log2(Math.max(1, dataset.size / 20)))));
  const training = {
    epochs: 30,
    batchSize,
    learningRate: 0.001,
    optimizer: 'adam' as const,
    seed: 42,
    earlyStopping: { monitor: 'val_loss', patience: 5 },
  };
  notes.push(
    `training: up to ${training.epochs} epochs, batch ${batchSize}, Adam at ${training.learningRate}, ` +
      'early stopping after 5 epochs without a lower val_loss (best weights restored)',
  );

  const config: InferredConfig['config'] = {
    ...(options.schemaRef ? { $schema: options.schemaRef } : {}),
    plugins: [...plugins].sort(),
    data: options.data,
    inputs,
    ...(fusion ? { fusion } : {}),
    output: { type: output.type, field: label },
    split,
    training,
    backend: 'auto',
  };
  return { config, fields, notes };
}

function guessLabel(dataset: Dataset): string {
  const byName = LABEL_NAMES.map((name) =>
    dataset.fields.find((f) => f.toLowerCase() === name && dataset.fieldTypes[f] !== 'text'),
  ).find(Boolean);
  if (byName) return byName;
  const categories = dataset.fields.filter(
    (f) => dataset.fieldTypes[f] === 'category' && !SPLIT_FIELDS.includes(f.toLowerCase()),
  );
  const last = categories.at(-1);
  if (last) return last;
  throw new OmnifuseError({
    code: ErrorCode.InvalidInput,
    message: 'cannot tell which field to predict: name it with --label',
    file: dataset.source,
    expected: `a field named ${LABEL_NAMES.join('/')} or a category field`,
    found: dataset.fields,
  });
}

function outputFor(
  dataset: Dataset,
  label: string,
  summary: FieldSummary,
): { type: 'classification' | 'multi-label' | 'regression'; why: string } {
  const values = dataset.values(label).filter((v) => v !== null && v !== undefined && v !== '');
  const type = dataset.fieldTypes[label] ?? summary.type;
  if (values.length > 0 && values.every(Array.isArray)) {
    return { type: 'multi-label', why: 'lists of labels: multi-label output' };
  }
  if (type === 'number' && summary.distinct <= MAX_NUMBERED_CLASSES && values.every(Number.isInteger)) {
    return {
      type: 'classification',
      why: `${summary.distinct} distinct whole numbers: classes spelled as numbers, classification output (set output.type to regression if they are amounts)`,
    };
  }
  if (type === 'number') {
    return {
      type: 'regression',
      why: `numbers (${summary.distinct} distinct): regression output (classes spelled as numbers? set output.type to classification)`,
    };
  }
  if (type === 'category') {
    return {
      type: 'classification',
      why: `category with ${summary.distinct} classes: classification output`,
    };
  }
  throw new OmnifuseError({
    code: ErrorCode.InvalidInput,
    message: 'the label must be a category, a number, or lists of labels',
    field: label,
    file: dataset.source,
    expected: 'category | number | lists of labels',
    found: type,
  });
}

interface EncoderChoice {
  readonly encoder?: string;
  readonly options?: Record<string, unknown>;
  readonly why: string;
}

function encoderFor(
  dataset: Dataset,
  field: string,
  type: string,
  summary: FieldSummary,
  media: MediaSample | NoMediaSample | undefined,
): EncoderChoice {
  const unsampled = media?.kind === 'none' ? ` (${media.reason})` : '';
  switch (type) {
    case 'image': {
      const { encoder, options, why } = imageInputFor(
        media?.kind === 'image' ? media : undefined,
        dataset.size,
      );
      return { encoder, options, why: why + unsampled };
    }
    case 'audio': {
      const { encoder, options, why } = audioInputFor(media?.kind === 'audio' ? media : undefined);
      return { encoder, options, why: why + unsampled };
    }
    case 'number':
      return {
        encoder: 'vector:mlp',
        options: { hidden: [8] },
        why: 'a number: standardised, then a small dense layer',
      };
    case 'vector':
      return {
        encoder: 'vector:mlp',
        options: { hidden: [32] },
        why: 'numeric vectors: standardised, then a dense layer',
      };
    case 'text': {
      const meanTokens = meanTokenCount(dataset.values(field));
      if (dataset.size >= TEXT_CNN_MIN_RECORDS) {
        return {
          encoder: 'text:cnn',
          why: `text (${meanTokens.toFixed(1)} words on average) and ${dataset.size} records: a text CNN`,
        };
      }
      return {
        encoder: 'text:tfidf',
        why:
          `text (${meanTokens.toFixed(1)} words on average) but under ${TEXT_CNN_MIN_RECORDS} records: ` +
          'TF-IDF needs no embeddings to learn',
      };
    }
    case 'category': {
      const values = dataset.values(field).filter((v) => v !== null && v !== undefined);
      if (!values.every((v) => typeof v === 'string')) {
        return {
          why: 'booleans or label lists as an input: no encoder takes them yet; convert to 0/1 or text',
        };
      }
      return {
        encoder: 'text:tfidf',
        options: { tfidf: { analyzer: 'char_wb', ngramRange: [1, 3] }, projection: { units: 8 } },
        why:
          `category (${summary.distinct} values): TF-IDF over character n-grams, which gives each value ` +
          `its own features (values are short: under ${TEXT_MIN_MEAN_TOKENS} words)`,
      };
    }
    default:
      return { why: `${type} values: no encoder for this type` };
  }
}

function meanTokenCount(values: readonly unknown[]): number {
  const texts = values.filter((v): v is string => typeof v === 'string');
  if (texts.length === 0) return 0;
  return texts.reduce((sum, t) => sum + (t.trim() ? t.trim().split(/\s+/).length : 0), 0) / texts.length;
}

function isSplitColumn(dataset: Dataset, field: string): boolean {
  const values = dataset.values(field).filter((v) => v !== null && v !== undefined && v !== '');
  return values.length > 0 && values.every((v) => typeof v === 'string' && SPLIT_VALUES.test(v));
}
