import { type FieldType, isDataUri, MEDIA_FIELD_TYPES, parseDataUri } from '@omnifuse/core';
import type { LoadedModel } from '@omnifuse/trainer';
import { HttpError } from './http-error.js';

/** One input of the served model, as clients see it. */
export interface ModelInput {
  readonly field: string;
  readonly encoder: string;
  /** The encoder id's prefix: `vision`, `text`, `audio`, `vector`, … */
  readonly modality: string;
  /** The field's type in the training data; `text` when the bundle does not record it. */
  readonly type: FieldType;
  readonly optional: boolean;
}

export function modelInputs(model: LoadedModel): ModelInput[] {
  const fieldTypes = (model.bundle.manifest.data?.fieldTypes ?? {}) as Record<string, FieldType>;
  return model.spec.inputs.map((input) => ({
    field: input.field,
    encoder: input.encoder,
    modality: input.encoder.split(':')[0]!,
    type: fieldTypes[input.field] ?? 'text',
    optional: input.optional,
  }));
}

export function isMediaInput(input: ModelInput): boolean {
  return MEDIA_FIELD_TYPES.includes(input.type);
}

/** A request's value for one field, before it is checked against the model. */
export type RawValue =
  | { readonly kind: 'value'; readonly value: unknown }
  | { readonly kind: 'file'; readonly bytes: Buffer; readonly mediaType?: string };

/** One record ready for `predict`, with the optional fields it left out. */
export interface PreparedRecord {
  readonly record: Record<string, unknown>;
  readonly missing: string[];
  /** Media bytes per field, for the size checks before the model sees them. */
  readonly media: { readonly field: string; readonly type: FieldType; readonly bytes: Uint8Array }[];
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

function mediaBytes(input: ModelInput, raw: RawValue): Uint8Array {
  if (raw.kind === 'file') return new Uint8Array(raw.bytes);
  const value = raw.value;
  // A plain string would be read as a file path on the server: only inline bytes are accepted.
  if (isDataUri(value)) return parseDataUri(value as string, { field: input.field }).bytes;
  if (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { base64?: unknown }).base64 === 'string'
  ) {
    const compact = (value as { base64: string }).base64.replace(/\s+/g, '');
    if (!BASE64.test(compact)) {
      throw new HttpError(
        400,
        'E_INPUT',
        `field "${input.field}": "base64" is not valid base64`,
        input.field,
      );
    }
    return new Uint8Array(Buffer.from(compact, 'base64'));
  }
  throw new HttpError(
    400,
    'E_INPUT',
    `field "${input.field}" is ${input.type}: send { "base64": "...", "mediaType": "..." }, a data: URI, or a multipart file part`,
    input.field,
  );
}

function plainValue(input: ModelInput, raw: RawValue): unknown {
  const value = raw.kind === 'file' ? raw.bytes.toString('utf8') : raw.value;
  const fromText = raw.kind === 'file' || typeof value === 'string';
  if (input.type === 'vector' && fromText) {
    // Multipart text parts carry vectors as JSON ("[1, 2]") or comma-separated numbers.
    const text = String(value).trim();
    const list = text.startsWith('[') ? safeJson(text) : text.split(',').map((part) => Number(part));
    if (!Array.isArray(list) || list.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
      throw new HttpError(400, 'E_INPUT', `field "${input.field}" must be a list of numbers`, input.field);
    }
    return list;
  }
  if (input.type === 'number' && fromText) {
    const number = Number(String(value).trim());
    if (!Number.isFinite(number)) {
      throw new HttpError(400, 'E_INPUT', `field "${input.field}" must be a number`, input.field);
    }
    return number;
  }
  const ok =
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    (Array.isArray(value) && value.every((x) => typeof x === 'number'));
  if (!ok) {
    throw new HttpError(
      400,
      'E_INPUT',
      `field "${input.field}" (${input.type}) must be text, a number or a list of numbers`,
      input.field,
    );
  }
  return value;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const isAbsent = (raw: RawValue | undefined) =>
  raw === undefined ||
  (raw.kind === 'value' &&
    (raw.value === null || (typeof raw.value === 'string' && raw.value.trim() === '')));

/**
 * Checks a request's fields against the model: unknown fields and missing required ones are 400
 * naming the field; absent optional ones are listed in `missing` (the model sees presence 0).
 */
export function prepareRecord(
  inputs: readonly ModelInput[],
  values: ReadonlyMap<string, RawValue>,
): PreparedRecord {
  const known = new Set(inputs.map((input) => input.field));
  for (const field of values.keys()) {
    if (!known.has(field)) {
      throw new HttpError(
        400,
        'E_UNKNOWN_FIELD',
        `unknown field "${field}": the model's inputs are ${[...known].map((f) => `"${f}"`).join(', ')}`,
        field,
      );
    }
  }
  const record: Record<string, unknown> = {};
  const missing: string[] = [];
  const media: PreparedRecord['media'][number][] = [];
  for (const input of inputs) {
    const raw = values.get(input.field);
    if (isAbsent(raw)) {
      if (!input.optional) {
        throw new HttpError(400, 'E_MISSING_FIELD', `missing required field "${input.field}"`, input.field);
      }
      missing.push(input.field);
      continue;
    }
    if (isMediaInput(input)) {
      const bytes = mediaBytes(input, raw!);
      if (bytes.length === 0) {
        throw new HttpError(
          422,
          'E_INPUT',
          `field "${input.field}": the ${input.type} is empty (0 bytes)`,
          input.field,
        );
      }
      media.push({ field: input.field, type: input.type, bytes });
      record[input.field] = bytes;
    } else {
      record[input.field] = plainValue(input, raw!);
    }
  }
  return { record, missing, media };
}

/** The fields of a JSON `inputs` object as raw values; anything but an object is a 400. */
export function jsonValues(inputs: unknown, where: string): Map<string, RawValue> {
  if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs)) {
    throw new HttpError(400, 'E_REQUEST', `${where} must be an object from field name to value`);
  }
  return new Map(
    Object.entries(inputs).map(([field, value]) => [field, { kind: 'value', value } as RawValue]),
  );
}
