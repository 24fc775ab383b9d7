import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { labelSet } from '../dataset/labels.js';
import {
  isReferenceObject,
  mediaKindOfPath,
  mediaReadProblem,
  readMedia,
  sniffMediaType,
  toMediaRef,
} from '../dataset/media.js';
import { isMissing } from '../dataset/missing.js';
import { type DatasetSplit, type SplitName, splitDataset } from '../dataset/split.js';
import { describeType, textFindings } from '../dataset/text-policy.js';
import { type Dataset, MEDIA_FIELD_TYPES } from '../dataset/types.js';
import { ErrorCode, inPluginStepSync, OmnifuseError } from '../errors.js';
import type { ModelSpec } from '../model-spec.js';
import type { Registry } from '../registry.js';
import type { EncoderV1, MediaRef, ValueFinding } from '../spec/index.js';

/** One problem with one field of one record. */
export interface DataFinding extends ValueFinding {
  /** The record's id: the manifest's `id` column, else its 0-based manifest row. */
  readonly record: string | number;
  /** 0-based position of the record in the dataset checked (its manifest row for a loaded manifest). */
  readonly row: number;
  readonly split?: SplitName;
  readonly field: string;
}

/** Everything `checkDataset` found. */
export interface DataCheckReport {
  /** The manifest, when the dataset came from a file. */
  readonly source?: string;
  readonly records: number;
  /** Records with no error (warnings allowed). */
  readonly valid: number;
  /** Records with at least one error. */
  readonly invalid: number;
  readonly errors: number;
  readonly warnings: number;
  /** Findings per code. */
  readonly byCode: Readonly<
    Record<string, { readonly severity: ValueFinding['severity']; readonly count: number }>
  >;
  /** Ids of the records with at least one error, in manifest order. */
  readonly invalidRecords: readonly (string | number)[];
  /** Rows (positions in the dataset) of those records. */
  readonly invalidRows: readonly number[];
  /** Every finding, by row then field. */
  readonly findings: readonly DataFinding[];
}

export interface CheckDatasetOptions {
  /** Where the spec's encoders come from, or… */
  readonly registry?: Registry;
  /** …the encoders themselves by field (e.g. a trained bundle's). */
  readonly encoders?: Readonly<Record<string, EncoderV1>>;
  /** The split the records are checked in (labels of validation/test records must occur in train); default: the spec's. */
  readonly split?: DatasetSplit;
  /**
   * Check the output field: `true` (default) for training and evaluation, `false` for prediction
   * (records have no label).
   */
  readonly labels?: boolean;
  /** Labels the model knows (a trained bundle's); by default `output.labels`, else the training split's. */
  readonly knownLabels?: readonly string[];
  /** Records checked at once (file opens, header reads); default 8. */
  readonly concurrency?: number;
  readonly onProgress?: (progress: { readonly done: number; readonly total: number }) => void;
}

/** Bytes read to sniff a media file's format when its encoder has no `check`. */
const SNIFF_BYTES = 64;

interface CheckedInput {
  readonly field: string;
  readonly optional: boolean;
  readonly encoder: EncoderV1;
  readonly media: boolean;
}

/**
 * Checks every record of every split against a model spec in one pass, without fitting or decoding
 * anything, and reports every problem by record id: inputs present (unless `optional`) and of the
 * right kind; media paths inside the data root, existing, regular, non-empty files (references
 * written as objects and URLs refused), then each encoder's own `check` (format from magic bytes,
 * image size and audio duration from the header, against the encoder's limits); text under the text
 * policy (blank → missing, over-long → truncated, lone surrogates and control characters replaced:
 * warnings); labels present, of the right type and known (a validation or test label must occur in
 * the training split or `output.labels`).
 *
 * Nothing outside the data root is opened: paths are confined before any file system call.
 */
export async function checkDataset(
  dataset: Dataset,
  spec: ModelSpec,
  options: CheckDatasetOptions,
): Promise<DataCheckReport> {
  const inputs: CheckedInput[] = spec.inputs.map((input) => {
    const encoder = options.encoders?.[input.field] ?? createEncoder(options.registry, input);
    const type = dataset.fieldTypes[input.field];
    const media =
      (type !== undefined && MEDIA_FIELD_TYPES.includes(type)) ||
      encoder.modality === 'image' ||
      encoder.modality === 'audio';
    return { field: input.field, optional: input.optional, encoder, media };
  });
  const checkLabels = options.labels ?? true;
  const splitOf = new Array<SplitName | undefined>(dataset.size);
  // Records are checked in the spec's split (validation and test labels must occur in training),
  // except against a trained model, whose labels are given and whose data need not follow the split.
  const split =
    options.split ?? (checkLabels && !options.knownLabels ? splitDataset(dataset, spec.split) : undefined);
  if (split)
    for (const name of ['train', 'validation', 'test'] as const)
      for (const i of split[name]) splitOf[i] = name;

  // Only rows with findings get an entry, so memory grows with the problems, not the dataset.
  const perRow = new Map<number, DataFinding[]>();
  const add = (row: number, field: string, finding: ValueFinding) => {
    const list = perRow.get(row) ?? [];
    perRow.set(row, list);
    list.push({ ...finding, record: dataset.ids[row]!, row, split: splitOf[row], field });
  };
  if (checkLabels) checkOutputs(dataset, spec, splitOf, options.knownLabels, add);

  let next = 0;
  let done = 0;
  const total = dataset.size;
  const concurrency = Math.max(1, Math.min(64, Math.floor(options.concurrency ?? 8)));
  const worker = async () => {
    while (next < total) {
      const row = next++;
      for (const input of inputs) {
        const findings = await checkInput(dataset, row, input);
        for (const finding of findings) add(row, input.field, finding);
      }
      done++;
      options.onProgress?.({ done, total });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, total)) }, worker));
  return summarise(dataset, perRow);
}

function createEncoder(registry: Registry | undefined, input: ModelSpec['inputs'][number]): EncoderV1 {
  if (!registry) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: 'checkDataset needs a registry or the encoders',
      field: input.field,
    });
  }
  const plugin = registry.encoder(input.encoder);
  return inPluginStepSync({ plugin: plugin.id, step: 'create', field: input.field }, () =>
    plugin.create(input.options),
  );
}

function summarise(dataset: Dataset, perRow: ReadonlyMap<number, DataFinding[]>): DataCheckReport {
  const findings: DataFinding[] = [];
  const byCode: Record<string, { severity: ValueFinding['severity']; count: number }> = {};
  const invalidRows: number[] = [];
  let errors = 0;
  let warnings = 0;
  const rows = [...perRow.keys()].sort((a, b) => a - b);
  for (const row of rows) {
    const rowFindings = perRow.get(row)!;
    if (rowFindings.some((f) => f.severity === 'error')) invalidRows.push(row);
    for (const finding of rowFindings) {
      findings.push(finding);
      if (finding.severity === 'error') errors++;
      else warnings++;
      const entry = byCode[finding.code] ?? { severity: finding.severity, count: 0 };
      byCode[finding.code] = entry;
      entry.count++;
      if (finding.severity === 'error') entry.severity = 'error';
    }
  }
  return {
    source: dataset.source,
    records: dataset.size,
    valid: dataset.size - invalidRows.length,
    invalid: invalidRows.length,
    errors,
    warnings,
    byCode,
    invalidRecords: invalidRows.map((row) => dataset.ids[row]!),
    invalidRows,
    findings,
  };
}

const error = (code: string, reason: string): ValueFinding => ({ severity: 'error', code, reason });
const warning = (code: string, reason: string): ValueFinding => ({ severity: 'warning', code, reason });

async function checkInput(dataset: Dataset, row: number, input: CheckedInput): Promise<ValueFinding[]> {
  const record = dataset.records[row]!;
  const value = record[input.field];
  if (isMissing(value)) {
    const blank = typeof value === 'string';
    if (!input.optional) {
      return [
        error(
          'missing-value',
          blank
            ? 'the value is blank and the input is required (mark it "optional": true to allow it)'
            : `no value for the required input${Object.hasOwn(record, input.field) ? '' : ' (the field is absent)'}`,
        ),
      ];
    }
    return blank ? [warning('blank-value', 'the value is blank; it is treated as missing')] : [];
  }
  if (input.media) return checkMedia(dataset, row, input, value);
  const findings: ValueFinding[] = [];
  if (input.encoder.modality === 'text') findings.push(...textFindings(value));
  else findings.push(...numberFindings(value));
  if (findings.some((f) => f.severity === 'error')) return findings;
  findings.push(...(await encoderCheck(dataset, row, input, value)));
  return findings;
}

async function checkMedia(
  dataset: Dataset,
  row: number,
  input: CheckedInput,
  value: unknown,
): Promise<ValueFinding[]> {
  const where = { record: dataset.ids[row], field: input.field, file: dataset.source };
  if (isReferenceObject(value)) {
    return [
      error(
        'media-reference-object',
        'media written as an object is not accepted: give a path inside the data root, a data: URI or bytes',
      ),
    ];
  }
  if (typeof value !== 'string' && !(value instanceof Uint8Array)) {
    // Decoded media given in code (pixels, samples): the encoder's check judges it.
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return encoderCheck(dataset, row, input, value);
    }
    return [error('wrong-type', `expected a media path, a data: URI or bytes, found ${describeType(value)}`)];
  }
  let ref: MediaRef;
  try {
    ref = toMediaRef(value, dataset.root, where);
  } catch (cause) {
    return [pathFinding(cause)];
  }
  if (ref.kind === 'file') {
    const problem = await statRegularFile(ref.path);
    if (problem) return [problem];
  } else if (ref.bytes.byteLength === 0) {
    return [error('empty-file', 'the inline media has 0 bytes')];
  }
  if (input.encoder.check) return encoderCheck(dataset, row, input, ref);
  return sniffFindings(dataset, ref, input);
}

function pathFinding(cause: unknown): ValueFinding {
  if (!OmnifuseError.isInstance(cause)) throw cause;
  if (cause.code === ErrorCode.PathOutsideRoot) return error('path-outside-root', cause.reason);
  if (/data URI/.test(cause.reason)) return error('bad-data-uri', cause.reason);
  if (/URL/.test(cause.reason)) return error('media-url', cause.reason);
  return error('bad-path', cause.reason);
}

/** An error finding when `file` is not a non-empty regular file; opened non-blocking, never read. */
async function statRegularFile(file: string): Promise<ValueFinding | undefined> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
    const stats = await handle.stat();
    if (stats.isDirectory()) return error('not-a-file', 'the media path is a folder');
    if (!stats.isFile())
      return error('not-a-file', 'the media path is not a regular file (a FIFO, device or socket)');
    if (stats.size === 0) return error('empty-file', 'the media file has 0 bytes');
    return undefined;
  } catch (cause) {
    const problem = mediaReadProblem(cause);
    return error(problem.code, problem.reason);
  } finally {
    await handle?.close();
  }
}

/** Without an encoder `check`: the magic bytes must not say the other media kind. */
async function sniffFindings(dataset: Dataset, ref: MediaRef, input: CheckedInput): Promise<ValueFinding[]> {
  const kind = input.encoder.modality;
  if (kind !== 'image' && kind !== 'audio') return [];
  let head: Uint8Array;
  try {
    head =
      ref.kind === 'inline' ? ref.bytes.subarray(0, SNIFF_BYTES) : await readHead(ref.path, dataset.root);
  } catch (cause) {
    const problem = mediaReadProblem((cause as { cause?: unknown }).cause ?? cause);
    return [error(problem.code, problem.reason)];
  }
  const sniffed = sniffMediaType(head)?.split('/')[0];
  if (sniffed && sniffed !== kind)
    return [error('wrong-media-type', `the ${kind} input holds ${sniffed} data`)];
  if (!sniffed && ref.kind === 'file' && mediaKindOfPath(ref.path) !== kind) {
    return [error('wrong-media-type', `the file is not a recognised ${kind} format`)];
  }
  return [];
}

async function readHead(file: string, root: string): Promise<Uint8Array> {
  const bytes = await readMedia({ kind: 'file', path: file, relativePath: file }, { root });
  return bytes.subarray(0, SNIFF_BYTES);
}

async function encoderCheck(
  dataset: Dataset,
  row: number,
  input: CheckedInput,
  raw: unknown,
): Promise<ValueFinding[]> {
  const check = input.encoder.check;
  if (!check) return [];
  const record = dataset.ids[row]!;
  const where = { record, field: input.field, file: dataset.source, root: dataset.root };
  try {
    const findings = await check(raw, {
      record,
      field: input.field,
      readMedia: (ref) => readMedia(ref, where),
    });
    if (!Array.isArray(findings)) throw new TypeError('check must return an array of findings');
    return findings.map((finding) => ({
      severity: finding.severity === 'warning' ? 'warning' : 'error',
      code: String(finding.code),
      reason: String(finding.reason),
    }));
  } catch (cause) {
    // A check must not throw; when it does, the record is reported (not the run stopped) and the plugin named.
    const reason = OmnifuseError.isInstance(cause)
      ? cause.reason
      : cause instanceof Error
        ? cause.message
        : String(cause);
    return [error('check-failed', `${input.encoder.id} check failed: ${reason.split('\n')[0]}`)];
  }
}

/** NaN and infinities in a number or an array of numbers; the encoder's `check` judges the rest. */
function numberFindings(value: unknown): ValueFinding[] {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? [] : [error('non-finite', `the value is ${value}`)];
  }
  if (!Array.isArray(value) && !(ArrayBuffer.isView(value) && !(value instanceof DataView))) return [];
  const items = value as ArrayLike<unknown>;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (typeof item === 'number' && !Number.isFinite(item))
      return [error('non-finite', `element ${i} is ${item}`)];
  }
  return [];
}

function checkOutputs(
  dataset: Dataset,
  spec: ModelSpec,
  splitOf: readonly (SplitName | undefined)[],
  knownLabels: readonly string[] | undefined,
  addFinding: (row: number, field: string, finding: ValueFinding) => void,
): void {
  const { field, type } = spec.output;
  const add = (row: number, finding: ValueFinding) => addFinding(row, field, finding);
  const labelsOf = (row: number): string[] | null => {
    const value = dataset.records[row]![field];
    if (isMissing(value)) {
      add(
        row,
        error(
          'missing-label',
          value === undefined ? 'the record has no label (the field is absent)' : 'the label is missing',
        ),
      );
      return null;
    }
    if (type === 'regression') {
      const number =
        typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : Number.NaN;
      if (typeof value !== 'number' && typeof value !== 'string') {
        add(row, error('wrong-type', `a regression target must be a number, found ${describeType(value)}`));
      } else if (!Number.isFinite(number)) {
        add(row, error('non-finite', 'a regression target must be a finite number'));
      }
      return null;
    }
    if (type === 'multi-label') {
      if (!Array.isArray(value) && typeof value !== 'string') {
        add(
          row,
          error(
            'wrong-type',
            `labels must be an array or a "|"-separated string, found ${describeType(value)}`,
          ),
        );
        return null;
      }
      return labelSet(value);
    }
    if (typeof value === 'number' && !Number.isFinite(value)) {
      add(row, error('non-finite', `the label is ${value}`));
      return null;
    }
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      add(
        row,
        error('wrong-type', `a label must be a string, number or boolean, found ${describeType(value)}`),
      );
      return null;
    }
    return [String(value)];
  };
  const labels = dataset.records.map((_, row) => labelsOf(row));
  if (type === 'regression') return;
  let known = knownLabels ?? spec.output.labels;
  if (!known) {
    const seen = new Set<string>();
    labels.forEach((items, row) => {
      if (items && splitOf[row] === 'train') for (const item of items) seen.add(item);
    });
    known = [...seen];
  }
  const knownSet = new Set(known);
  labels.forEach((items, row) => {
    if (!items) return;
    const unknown = items.filter((item) => !knownSet.has(item));
    if (unknown.length === 0) return;
    const where = knownLabels
      ? 'the model knows'
      : spec.output.labels
        ? 'output.labels lists'
        : 'the training split has';
    add(
      row,
      error(
        'unknown-label',
        `label ${unknown.map((l) => JSON.stringify(l.length > 40 ? `${l.slice(0, 37)}...` : l)).join(', ')} is not one ${where}`,
      ),
    );
  });
}
