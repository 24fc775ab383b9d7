import type { ReadMedia, RecordContext } from './record.js';

/**
 * One problem found in one value before anything is fitted or decoded. An `error` makes the record
 * invalid (the `onInvalid` policy decides: fail after the full report, or skip the record); a
 * `warning` names a documented policy that is applied to the value (blank text treated as missing,
 * over-long text truncated) and keeps the record.
 */
export interface ValueFinding {
  readonly severity: 'error' | 'warning';
  /** Stable kebab-case code, e.g. `image-too-large`, `audio-truncated`, `text-truncated`. */
  readonly code: string;
  /** Why, in one sentence. Never quotes file contents (at most an escaped magic of ≤ 8 bytes). */
  readonly reason: string;
}

/** What an encoder's `check` receives besides the value. */
export interface EncoderCheckContext extends RecordContext {
  /**
   * Reads a media reference's bytes. For files the dataset has already confined the path to the
   * data root and checked that it is a non-empty regular file.
   */
  readonly readMedia: ReadMedia;
}

/** Optional part of an encoder: cheap checks of one raw value (see `EncoderV1.check`). */
export type EncoderCheck<Raw> = (
  raw: Raw,
  context: EncoderCheckContext,
) => readonly ValueFinding[] | Promise<readonly ValueFinding[]>;
