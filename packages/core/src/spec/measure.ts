import type { ReadMedia, RecordContext } from './record.js';

/**
 * Sizes a caller limits media by, in the units of {@link MediaMeasure}. A limit left out is not
 * checked by the caller; the encoder then bounds its own work (an audio encoder by its
 * `maxDuration`).
 */
export interface MeasureLimits {
  /** Most pixels (width × height) of an image or video frame. */
  readonly pixels?: number;
  /** Longest duration of audio or video, in seconds. */
  readonly seconds?: number;
}

/** What an encoder's `measure` receives besides the value. */
export interface EncoderMeasureContext extends RecordContext {
  /** Reads a media reference's bytes (a server hands inline bytes; a dataset, checked files). */
  readonly readMedia: ReadMedia;
  /**
   * The caller's limits. `measure` may stop as soon as the value is past one, so that a value that
   * hides its size (a stream without a length, a header that lies) costs no more than the limit.
   */
  readonly limits: MeasureLimits;
}

/**
 * The sizes of one media value, as `EncoderV1.measure` found them. Only the sizes the medium has are
 * set: `width` and `height` for images, `seconds` for audio.
 */
export interface MediaMeasure {
  readonly width?: number;
  readonly height?: number;
  readonly seconds?: number;
  /**
   * `header`: sizes the header declares (nothing decoded; a caller may refuse on them alone).
   * `decoded`: sizes counted by decoding, or read from a value already decoded in code.
   */
  readonly source: 'header' | 'decoded';
  /**
   * True when decoding stopped because the value passed one of `context.limits`: the size reported
   * for that limit is the limit itself, a lower bound of the real size.
   */
  readonly stoppedAtLimit?: boolean;
}

/** Optional part of an encoder: the sizes of one media value (see `EncoderV1.measure`). */
export type EncoderMeasure<Raw> = (
  raw: Raw,
  context: EncoderMeasureContext,
) => MediaMeasure | Promise<MediaMeasure>;
