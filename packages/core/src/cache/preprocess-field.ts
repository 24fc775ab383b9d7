import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { isReferenceObject, readMedia, referenceObjectError, toMediaRef } from '../dataset/media.js';
import { isMissing } from '../dataset/missing.js';
import { sanitizeText } from '../dataset/text-policy.js';
import { type Dataset, MEDIA_FIELD_TYPES } from '../dataset/types.js';
import { ErrorCode, inPluginStep, inPluginStepSync, OmnifuseError } from '../errors.js';
import { featureArrayType } from '../feature-arrays.js';
import type { EncoderV1, Feature, FeatureDType, FeatureSpec, MediaRef, ReadMedia } from '../spec/index.js';
import { encoderFingerprint, featureCacheKey, hashMediaBytes, hashPlainValue } from './cache-key.js';
import { disabledFeatureCache, type FeatureCache } from './feature-cache.js';

export interface PreprocessStats {
  /** Features served from the cache. */
  hits: number;
  /** Lookups that found nothing (or a damaged entry). */
  misses: number;
  /** `encoder.preprocess` calls. */
  computed: number;
  /** Records whose value is missing (presence 0, zero feature, no preprocess call). */
  missing: number;
  /** Media files read (to hash them; the same bytes then feed `preprocess` on a miss). */
  mediaReads: number;
}

export interface PreprocessProgress extends Readonly<PreprocessStats> {
  readonly done: number;
  readonly total: number;
}

export interface PreprocessFieldOptions {
  /** Where features are looked up and stored; by default nothing is cached. */
  readonly cache?: FeatureCache;
  /** Records in flight at once (media reads, preprocess calls); default 4. */
  readonly concurrency?: number;
  /** Called after each record. */
  readonly onProgress?: (progress: PreprocessProgress) => void;
  /**
   * Whether values are media references (paths, data: URIs, bytes) handed to the encoder as
   * `MediaRef`s. By default: when the field's type is image, audio or binary, or the encoder's
   * modality is image or audio.
   */
  readonly media?: boolean;
  /**
   * What a record whose value cannot be preprocessed (bad media, a value the encoder refuses) does:
   * `'throw'` (default) stops at the first one; `'collect'` gives the record presence 0 and an
   * all-zero feature, goes on, and lists it in `failures` — so a caller can report every bad record
   * at once and apply its `onInvalid` policy.
   */
  readonly invalid?: 'throw' | 'collect';
  /**
   * Arrays to write the features and presences into, record `i` at row `offset + i` (e.g. one
   * field's arrays in shared memory that several threads fill); by default new ones. The batch
   * returned then views the rows written.
   */
  readonly into?: {
    readonly data: Feature['data'];
    readonly presence: Float32Array;
    readonly offset: number;
  };
}

/** A record whose value could not be preprocessed (see `PreprocessFieldOptions.invalid`). */
export interface RecordFailure {
  /** Index of the record in the dataset given. */
  readonly index: number;
  /** Its id (the manifest's `id` column, else its 0-based manifest row). */
  readonly record: string | number;
  readonly field: string;
  /** The error's code, e.g. `E_INPUT`. */
  readonly code: string;
  /** The error's reason, without the location. */
  readonly reason: string;
  readonly error: OmnifuseError;
}

/** Error codes that are about one record's data, which `invalid: 'collect'` collects; others stop the run. */
const RECORD_ERROR_CODES: readonly string[] = [
  ErrorCode.InvalidInput,
  ErrorCode.MissingField,
  ErrorCode.PathOutsideRoot,
  ErrorCode.PluginFailed,
];

/** One field's features for every record, stacked. */
export interface FeatureBatch {
  readonly field: string;
  readonly dtype: FeatureDType;
  /** `[records, ...featureSpec.shape]`. */
  readonly shape: readonly number[];
  /** Row-major, record `i` at `i × featureSize`. */
  readonly data: Feature['data'];
  /** 1 where the record has a value, 0 where it is missing (its feature is all zeros). */
  readonly presence: Float32Array;
  readonly stats: PreprocessStats;
  /** Records that could not be preprocessed (only with `invalid: 'collect'`; presence 0 for them). */
  readonly failures: readonly RecordFailure[];
}

const DEFAULT_CONCURRENCY = 4;

/**
 * Preprocesses one field of every record with a fitted encoder, through the feature cache: a record
 * whose input content, encoder id/version/options and fitted state are unchanged is read from the
 * cache and `encoder.preprocess` is not called for it.
 *
 * Missing values (absent, null, blank) do not reach the encoder: the record gets presence 0 and an
 * all-zero feature, so fusion can mask the modality. Each computed feature is checked against
 * `encoder.featureSpec(state)` (dtype, shape) and for NaN / infinite values; failures inside the
 * encoder name the plugin, the step, the record and the field.
 */
export async function preprocessField<Raw, State>(
  dataset: Dataset,
  field: string,
  encoder: EncoderV1<Raw, State>,
  state: State,
  options: PreprocessFieldOptions = {},
): Promise<FeatureBatch> {
  if (!dataset.fields.includes(field)) {
    throw new OmnifuseError({
      code: ErrorCode.MissingField,
      message: 'field is in no record',
      field,
      file: dataset.source,
      expected: dataset.fields,
    });
  }
  const spec = checkedFeatureSpec(encoder, state, field);
  const featureSize = spec.shape.reduce((a, b) => a * b, 1);
  const n = dataset.size;
  const into = options.into;
  if (
    into &&
    (!(into.data instanceof featureArrayType(spec.dtype)) ||
      into.data.length < (into.offset + n) * featureSize ||
      into.presence.length < into.offset + n)
  ) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: 'preprocessField: `into` arrays do not hold the rows asked',
      field,
      expected: { dtype: spec.dtype, rows: into.offset + n, featureSize },
      found: { data: into.data.length, presence: into.presence.length },
    });
  }
  const data = into
    ? into.data.subarray(into.offset * featureSize, (into.offset + n) * featureSize)
    : new (featureArrayType(spec.dtype))(n * featureSize);
  const presence = into ? into.presence.subarray(into.offset, into.offset + n) : new Float32Array(n);
  // Missing and failed records are zeros, as in new arrays.
  if (into) {
    data.fill(0);
    presence.fill(0);
  }
  const cache = options.cache ?? disabledFeatureCache();
  const fingerprint = encoderFingerprint(encoder, state);
  const media =
    options.media ??
    (MEDIA_FIELD_TYPES.includes(dataset.fieldTypes[field]!) ||
      encoder.modality === 'image' ||
      encoder.modality === 'audio');
  const stats: PreprocessStats = { hits: 0, misses: 0, computed: 0, missing: 0, mediaReads: 0 };
  const concurrency = Math.max(1, Math.min(64, Math.floor(options.concurrency ?? DEFAULT_CONCURRENCY)));

  const processRecord = async (index: number): Promise<void> => {
    const value = dataset.records[index]![field];
    if (isMissing(value)) {
      stats.missing++;
      return;
    }
    const record = dataset.ids[index]!;
    const where = { record, field, file: dataset.source };
    const confined = { ...where, root: dataset.root };
    let raw: unknown = value;
    let inputHash: string;
    let readForEncoder: ReadMedia = (ref) => readMedia(ref, confined);
    let mediaFile: string | undefined;
    if (media && isReferenceObject(value)) throw referenceObjectError(where);
    if (media && (typeof value === 'string' || value instanceof Uint8Array)) {
      const ref = toMediaRef(value, dataset.root, where);
      let bytes: Uint8Array;
      if (ref.kind === 'file') {
        bytes = readSmallFileSync(ref.path) ?? (await readMedia(ref, confined));
        stats.mediaReads++;
        mediaFile = ref.path;
        // Hand the bytes already read for hashing to the encoder, so a miss reads the file once.
        readForEncoder = async (asked: MediaRef) =>
          asked.kind === 'file' && asked.path === ref.path ? bytes : readMedia(asked, confined);
      } else {
        bytes = ref.bytes;
      }
      raw = ref;
      inputHash = hashMediaBytes(bytes);
    } else {
      if (encoder.modality === 'text') raw = sanitizeText(value);
      inputHash = hashPlainValue(raw);
    }
    const key = featureCacheKey(fingerprint, inputHash);
    const cached = await cache.get(key);
    let feature: Feature;
    if (cached && fitsSpec(cached, spec)) {
      stats.hits++;
      feature = cached;
    } else {
      stats.misses++;
      stats.computed++;
      feature = await inPluginStep(
        { plugin: encoder.id, step: 'preprocess', record, field, file: mediaFile },
        () => encoder.preprocess(raw as Raw, state, { record, field, readMedia: readForEncoder }),
      );
      checkFeature(feature, spec, encoder.id, record, field);
      await cache.put(key, feature);
    }
    data.set(feature.data, index * featureSize);
    presence[index] = 1;
  };

  let next = 0;
  let done = 0;
  let failure: { error: unknown } | undefined;
  const failures: RecordFailure[] = [];
  const collect = options.invalid === 'collect';
  const worker = async () => {
    while (!failure && next < n) {
      const index = next++;
      try {
        await processRecord(index);
      } catch (error) {
        if (!(collect && isRecordError(error))) {
          failure ??= { error };
          return;
        }
        failures.push(recordFailure(error, index, dataset.ids[index]!, field));
      }
      done++;
      options.onProgress?.({ ...stats, done, total: n });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, n)) }, worker));
  if (failure) throw failure.error;
  failures.sort((a, b) => a.index - b.index);
  return { field, dtype: spec.dtype, shape: [n, ...spec.shape], data, presence, stats, failures };
}

function isRecordError(error: unknown): error is OmnifuseError {
  return OmnifuseError.isInstance(error) && RECORD_ERROR_CODES.includes(error.code);
}

function recordFailure(
  error: OmnifuseError,
  index: number,
  record: string | number,
  field: string,
): RecordFailure {
  return { index, record, field, code: error.code, reason: error.reason, error };
}

/** Files up to this size are read on the main thread (see {@link readSmallFileSync}). */
const SYNC_READ_LIMIT = 1 << 20;

/**
 * A regular file of at most {@link SYNC_READ_LIMIT} bytes, read synchronously; else undefined, and
 * the caller reads it with `readMedia` (which also gives the error of a file it cannot read). Why:
 * for the small files of a typical image or audio dataset, `fs/promises` costs more main-thread
 * time than the read itself (a FileHandle and four thread-pool round trips, queued behind the
 * decoders that share the pool), about 5% of the throughput of a sharp pipeline on two cores.
 */
function readSmallFileSync(path: string): Uint8Array | undefined {
  let fd: number;
  try {
    // Non-blocking, so a FIFO that slipped into the data cannot hang the run; fstat then refuses it.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile() || stats.size > SYNC_READ_LIMIT) return undefined;
    const bytes = Buffer.allocUnsafeSlow(stats.size);
    let length = 0;
    while (length < bytes.length) {
      const read = readSync(fd, bytes, length, bytes.length - length, null);
      if (read === 0) break;
      length += read;
    }
    // A file that shrank or grew since fstat: let the asynchronous reader take it whole.
    if (length !== bytes.length || readSync(fd, Buffer.allocUnsafe(1), 0, 1, null) !== 0) return undefined;
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } catch {
    return undefined;
  } finally {
    try {
      closeSync(fd);
    } catch {
      // Nothing to do: the bytes (or the fallback) do not depend on it.
    }
  }
}

function checkedFeatureSpec<State>(
  encoder: EncoderV1<unknown, State>,
  state: State,
  field: string,
): FeatureSpec {
  const spec = inPluginStepSync({ plugin: encoder.id, step: 'featureSpec', field }, () =>
    encoder.featureSpec(state),
  );
  const valid =
    spec &&
    (spec.dtype === 'float32' || spec.dtype === 'int32' || spec.dtype === 'uint8') &&
    Array.isArray(spec.shape) &&
    spec.shape.every((dim) => Number.isInteger(dim) && dim > 0);
  if (!valid) {
    throw new OmnifuseError({
      code: ErrorCode.PluginFailed,
      message: 'featureSpec must give dtype float32, int32 or uint8 and a shape of positive integers',
      plugin: encoder.id,
      step: 'featureSpec',
      field,
      found: spec,
    });
  }
  return spec;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((dim, i) => dim === b[i]);
}

function fitsSpec(feature: Feature, spec: FeatureSpec): boolean {
  return feature.dtype === spec.dtype && sameShape(feature.shape, spec.shape);
}

function checkFeature(
  feature: Feature,
  spec: FeatureSpec,
  plugin: string,
  record: string | number,
  field: string,
) {
  const at = { plugin, step: 'preprocess', record, field };
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const ArrayType = featureArrayType(spec.dtype);
  if (
    !feature ||
    feature.dtype !== spec.dtype ||
    !Array.isArray(feature.shape) ||
    !sameShape(feature.shape, spec.shape) ||
    !(feature.data instanceof ArrayType) ||
    feature.data.length !== size
  ) {
    throw new OmnifuseError({
      code: ErrorCode.PluginFailed,
      message: 'preprocess returned a feature that does not match featureSpec',
      ...at,
      expected: { dtype: spec.dtype, shape: spec.shape, length: size },
      found: feature
        ? {
            dtype: feature.dtype,
            shape: feature.shape,
            length: feature.data?.length,
            type: feature.data?.constructor?.name,
          }
        : feature,
    });
  }
  if (spec.dtype === 'float32') {
    const values = feature.data;
    // x - x is 0 for finite x and NaN for NaN and ±Infinity: one branch-free pass, then find the culprit.
    let probe = 0;
    for (let i = 0; i < values.length; i++) probe += values[i]! - values[i]!;
    if (probe === 0) return;
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) {
        throw new OmnifuseError({
          code: ErrorCode.InvalidInput,
          message: `preprocessed feature has a non-finite value at element ${i}`,
          ...at,
          expected: 'finite numbers',
          found: values[i],
        });
      }
    }
  }
}
