import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { type AudioSource, wavError } from './audio-error.js';

/** Bounds on what a decoder may produce. */
export interface DecodeAudioOptions {
  /**
   * Longest clip accepted, in seconds. A header that declares more is refused before decoding;
   * a stream whose header lies or does not say is cut off as soon as it decodes past the limit, so
   * memory stays bounded. Either way the error is `too-long`. Default: no limit.
   */
  readonly maxSeconds?: number | undefined;
}

/** The most sample frames `limits` allows at `sampleRate`, or Infinity. */
export function maxFramesAt(limits: DecodeAudioOptions, sampleRate: number): number {
  const { maxSeconds } = limits;
  if (maxSeconds === undefined) return Number.POSITIVE_INFINITY;
  if (!(maxSeconds > 0)) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidOptions,
      message: 'maxSeconds must be a positive number of seconds',
      path: 'maxSeconds',
      expected: '> 0',
      found: maxSeconds,
    });
  }
  return Math.floor(maxSeconds * sampleRate);
}

/** How a too-long length was found. */
export type LengthSource = 'declared' | 'decoded' | 'given';

const SAID: Record<LengthSource, string> = {
  declared: 'its header declares',
  decoded: 'decoding stopped after',
  given: 'the clip lasts',
};

/**
 * Throws `too-long` when `frames` at `sampleRate` exceed the limit: `declared` when a header says
 * so (nothing decoded yet), `decoded` when a decoder was stopped part-way (the length is a floor).
 */
export function refuseTooLong(
  frames: number,
  sampleRate: number,
  limits: DecodeAudioOptions,
  where: AudioSource | undefined,
  how: LengthSource,
): void {
  if (frames <= maxFramesAt(limits, sampleRate)) return;
  throw tooLongError(frames / sampleRate, limits.maxSeconds!, where, how);
}

/** The `too-long` error: `details.seconds` (a floor when `stoppedEarly`), `details.maxSeconds`. */
export function tooLongError(
  seconds: number,
  maxSeconds: number,
  where: AudioSource | undefined,
  how: LengthSource,
): OmnifuseError {
  const length = formatSeconds(seconds);
  return wavError(
    'too-long',
    `audio is too long: ${SAID[how]} ${length}, over the limit of ${formatSeconds(maxSeconds)}`,
    where,
    {
      expected: `<= ${formatSeconds(maxSeconds)}`,
      found: how === 'decoded' ? `more than ${length}` : length,
      details: { seconds, maxSeconds, stoppedEarly: how === 'decoded' },
    },
  );
}

/** `3600 s`, `1.25 s`: seconds to two decimals at most. */
export function formatSeconds(seconds: number): string {
  return `${Number(seconds.toFixed(2))} s`;
}
