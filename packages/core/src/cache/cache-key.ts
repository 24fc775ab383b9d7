import { hashValue, sha256, stableStringify } from '../hash.js';
import type { EncoderV1 } from '../spec/index.js';

/** Bump when the key recipe or the entry format changes, so old entries are simply never found. */
export const FEATURE_CACHE_KEY_VERSION = 1;

/**
 * Everything about the encoder that decides its features: id, version, options (stable JSON) and a
 * hash of the fitted state. Computed once per field, then combined with each record's input hash.
 */
export function encoderFingerprint(
  encoder: Pick<EncoderV1, 'id' | 'version' | 'options'>,
  state: unknown,
): string {
  return sha256(
    stableStringify({
      keyVersion: FEATURE_CACHE_KEY_VERSION,
      encoder: encoder.id,
      version: encoder.version,
      options: encoder.options,
      state: hashValue(state ?? null),
    }),
  );
}

/** Content hash of media bytes (a file's or inline): the same bytes anywhere give the same hash. */
export function hashMediaBytes(bytes: Uint8Array): string {
  return `bytes:${sha256(bytes)}`;
}

/** Content hash of a plain (non-media) value: text, number, vector, label. */
export function hashPlainValue(value: unknown): string {
  return `value:${hashValue(value)}`;
}

/**
 * The cache key of one feature: sha256 over the encoder fingerprint and the raw input's content hash.
 * The record id, field name and file path are deliberately not in it: a feature depends only on the
 * input's content and the encoder, so renaming or moving files keeps their entries.
 */
export function featureCacheKey(fingerprint: string, inputHash: string): string {
  return sha256(fingerprint, '\n', inputHash);
}
