import { type EncoderCheckContext, type MediaRef, OmnifuseError, type ValueFinding } from '@omnifuse/core';
import { formatSeconds } from '../decode/decode-limits.js';
import { findNonFiniteSample } from '../decode/pcm-samples.js';
import { type AudioProbe, probeAudio } from '../decode/probe-audio.js';
import { readWavHeader } from '../decode/wav-header.js';

/** Finding codes of the audio encoders' `check`, all errors. */
export type AudioFindingCode =
  | 'audio-unreadable'
  | 'audio-empty'
  | 'audio-truncated'
  | 'audio-non-finite'
  | 'audio-too-long';

export interface AudioCheckOptions {
  /** Longest clip accepted, in seconds (the encoders' `preprocess.maxDuration`). */
  readonly maxDuration: number;
}

/**
 * Cheap checks of one audio value, without decoding it: a media reference is read and its header
 * probed (`probeAudio`), and a float WAV's samples scanned for NaN/Inf; audio already decoded in
 * code is checked for shape, finiteness and length. Returns `[]` when nothing is wrong; never
 * throws for bad input. Codes (all `error`):
 * - `audio-unreadable`: unknown format, a corrupt or cut header, an encoding not decoded here
 *   (µ-law WAV, Ogg Opus, AAC), or a value that is neither a media reference nor decoded audio;
 * - `audio-empty`: no samples; `audio-truncated`: the header declares more than the file holds
 *   (a WAV data chunk, an Ogg stream without its end-of-stream page, an MP3 short of its Info tag);
 * - `audio-non-finite`: NaN or Inf samples; `audio-too-long`: over `maxDuration` by the header's
 *   count (an MP3 length estimated from its bitrate is not trusted for this; decoding enforces it).
 */
export async function checkAudioValue(
  raw: unknown,
  context: Pick<EncoderCheckContext, 'readMedia'>,
  options: AudioCheckOptions,
): Promise<ValueFinding[]> {
  try {
    if (isMediaRef(raw)) {
      let bytes: Uint8Array;
      try {
        bytes = await context.readMedia(raw);
      } catch (error) {
        return [finding('audio-unreadable', `the audio file could not be read: ${messageOf(error)}`)];
      }
      return checkAudioBytes(bytes, options);
    }
    return checkDecodedAudio(raw, options);
  } catch (error) {
    // A bug of ours must not take the whole dataset check down with it.
    return [finding('audio-unreadable', `the audio could not be checked: ${messageOf(error)}`)];
  }
}

/** `checkAudioValue` for bytes already in memory. */
export function checkAudioBytes(bytes: Uint8Array, options: AudioCheckOptions): ValueFinding[] {
  let probe: AudioProbe;
  try {
    probe = probeAudio(bytes);
  } catch (error) {
    // Our decoders' messages quote at most an escaped 8-byte magic, never file contents.
    return [finding('audio-unreadable', messageOf(error))];
  }
  if (probe.encoding === 'opus') {
    return [finding('audio-unreadable', 'unsupported codec in Ogg: Opus (only Vorbis is decoded)')];
  }
  const findings: ValueFinding[] = [];
  if (probe.truncated) findings.push(finding('audio-truncated', truncatedReason(probe)));
  if (probe.frames === 0) {
    findings.push(finding('audio-empty', `empty clip: the ${probe.format} header declares no samples`));
  } else if (
    probe.exact &&
    probe.durationSeconds !== undefined &&
    probe.durationSeconds > options.maxDuration
  ) {
    findings.push(finding('audio-too-long', tooLongReason(probe.durationSeconds, options.maxDuration)));
  }
  if (probe.format === 'wav' && probe.encoding === 'float' && probe.frames! > 0) {
    const header = readWavHeader(bytes);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const bad = findNonFiniteSample(view, header.dataOffset, header.availableFrames, header.format);
    if (bad) {
      findings.push(
        finding(
          'audio-non-finite',
          `float WAV holds a non-finite sample (${bad.value}) at frame ${bad.frame}, channel ${bad.channel}`,
        ),
      );
    }
  }
  return findings;
}

function checkDecodedAudio(raw: unknown, options: AudioCheckOptions): ValueFinding[] {
  const audio = raw as { sampleRate?: unknown; samples?: unknown } | null;
  if (
    typeof audio !== 'object' ||
    audio === null ||
    !(audio.samples instanceof Float32Array) ||
    typeof audio.sampleRate !== 'number' ||
    !Number.isFinite(audio.sampleRate) ||
    !(audio.sampleRate > 0)
  ) {
    return [
      finding(
        'audio-unreadable',
        'audio must be a media reference or { sampleRate > 0, samples: Float32Array }',
      ),
    ];
  }
  const { samples, sampleRate } = audio as { samples: Float32Array; sampleRate: number };
  if (samples.length === 0) return [finding('audio-empty', 'empty clip: no samples')];
  const findings: ValueFinding[] = [];
  const seconds = samples.length / sampleRate;
  if (seconds > options.maxDuration)
    findings.push(finding('audio-too-long', tooLongReason(seconds, options.maxDuration)));
  const bad = samples.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0)
    findings.push(finding('audio-non-finite', `non-finite sample (${samples[bad]}) at index ${bad}`));
  return findings;
}

function truncatedReason(probe: AudioProbe): string {
  switch (probe.format) {
    case 'wav':
      return `WAV data chunk declares ${probe.declaredFrames} frames but the file holds ${probe.availableFrames}`;
    case 'ogg':
      return 'Ogg stream is cut short: it does not end with a complete end-of-stream page';
    default:
      return `${probe.format.toUpperCase()} holds fewer bytes than its header declares`;
  }
}

function tooLongReason(seconds: number, maxDuration: number): string {
  return `audio is too long: ${formatSeconds(seconds)}, over the limit of ${formatSeconds(maxDuration)} (preprocess.maxDuration)`;
}

function finding(code: AudioFindingCode, reason: string): ValueFinding {
  return { severity: 'error', code, reason };
}

function isMediaRef(raw: unknown): raw is MediaRef {
  return typeof raw === 'object' && raw !== null && 'kind' in raw;
}

function messageOf(error: unknown): string {
  if (OmnifuseError.isInstance(error)) return error.reason;
  return error instanceof Error ? error.message : String(error);
}
