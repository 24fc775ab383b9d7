import { ErrorCode, OmnifuseError } from '@omnifuse/core';

/** Where a clip came from, so an error names the record, field and file a user can find. */
export interface AudioSource {
  record?: string | number;
  field?: string;
  file?: string;
}

/**
 * Stable tags for what is wrong with an audio file (WAV or compressed); match on
 * `details.problem`, not on the message.
 */
export type WavProblem =
  | 'not-riff-wave'
  | 'truncated-header'
  | 'missing-fmt'
  | 'missing-data'
  | 'bad-fmt'
  | 'unsupported-encoding'
  | 'empty-clip'
  | 'non-finite-sample'
  /** Magic bytes of no format `decodeAudio` knows (WAV, FLAC, MP3, Ogg). */
  | 'unknown-format'
  /** The container says bytes are missing: a cut Ogg page or no end-of-stream page, an MP3 shorter than its Info tag, a FLAC header cut off. */
  | 'truncated-stream'
  /** The decoder rejected frames, or decoded fewer samples than the stream declares. */
  | 'corrupt-stream'
  /** Longer than the caller's `maxSeconds`: declared so by the header, or found while decoding. */
  | 'too-long';

export function wavError(
  problem: WavProblem,
  message: string,
  where: AudioSource | undefined,
  extra: { expected?: unknown; found?: unknown; details?: Record<string, unknown>; cause?: unknown } = {},
): OmnifuseError {
  return new OmnifuseError({
    code: ErrorCode.InvalidInput,
    message,
    ...where,
    expected: extra.expected,
    found: extra.found,
    details: { problem, ...extra.details },
    ...(extra.cause === undefined ? {} : { cause: extra.cause }),
  });
}

/** The same tags under a name that fits every format `decodeAudio` reads. */
export type AudioProblem = WavProblem;
