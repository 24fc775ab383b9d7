import {
  type EncoderMeasure,
  type EncoderMeasureContext,
  ErrorCode,
  type MediaMeasure,
  type MediaRef,
  OmnifuseError,
} from '@omnifuse/core';
import { decodeAudio } from '../decode/decode-audio.js';
import { probeAudio } from '../decode/probe-audio.js';
import type { AudioRaw } from './audio-raw.js';

export interface AudioMeasureOptions {
  /** Longest clip decoded when the caller sets no `seconds` limit (the encoders' `preprocess.maxDuration`). */
  readonly maxDuration: number;
}

/**
 * The duration of one audio value, header first: a header that declares a length over the caller's
 * `seconds` limit is answered at once, without decoding. A header can leave the length out (FLAC
 * total 0, Ogg, MP3 without an Info tag) or lie, so compressed audio is then decoded with the limit,
 * which stops the decoder once past it (`stoppedAtLimit`): memory stays bounded by the limit, not by
 * how far a small body expands. An exact WAV header is its length (PCM is no bigger than the body),
 * so it is not decoded. Throws `E_INPUT` for audio it cannot read.
 */
export async function measureAudioValue(
  raw: AudioRaw,
  context: Pick<EncoderMeasureContext, 'readMedia' | 'limits' | 'field'>,
  options: AudioMeasureOptions,
): Promise<MediaMeasure> {
  if (!isMediaRef(raw)) return measureDecoded(raw);
  const bytes = await context.readMedia(raw);
  const cap = context.limits.seconds ?? options.maxDuration;
  const probe = probeAudio(bytes);
  if (probe.durationSeconds !== undefined && probe.durationSeconds > cap) {
    return { seconds: probe.durationSeconds, source: 'header' };
  }
  if (probe.format === 'wav' && probe.exact && probe.durationSeconds !== undefined) {
    return { seconds: probe.durationSeconds, source: 'header' };
  }
  try {
    const audio = await decodeAudio(bytes, { field: context.field }, { maxSeconds: cap });
    return { seconds: (audio.samples[0]?.length ?? 0) / audio.sampleRate, source: 'decoded' };
  } catch (error) {
    if (OmnifuseError.isInstance(error) && error.details?.problem === 'too-long') {
      return { seconds: cap, source: 'decoded', stoppedAtLimit: true };
    }
    throw error;
  }
}

/** The `measure` hook of an audio encoder with these options. */
export function audioValueMeasure(options: AudioMeasureOptions): EncoderMeasure<AudioRaw> {
  return (raw, context) => measureAudioValue(raw, context, options);
}

function measureDecoded(raw: unknown): MediaMeasure {
  const audio = raw as { sampleRate?: unknown; samples?: unknown } | null;
  if (
    typeof audio !== 'object' ||
    audio === null ||
    !(audio.samples instanceof Float32Array) ||
    typeof audio.sampleRate !== 'number' ||
    !(audio.sampleRate > 0)
  ) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message: 'audio must be a media reference or { sampleRate > 0, samples: Float32Array }',
      expected: 'MediaRef | DecodedAudio',
      found: audio === null ? 'null' : typeof audio,
    });
  }
  return { seconds: audio.samples.length / audio.sampleRate, source: 'decoded' };
}

function isMediaRef(raw: unknown): raw is MediaRef {
  return typeof raw === 'object' && raw !== null && 'kind' in raw;
}
