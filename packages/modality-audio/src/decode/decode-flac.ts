import { type AudioSource, wavError } from './audio-error.js';
import { type DecodeAudioOptions, maxFramesAt, refuseTooLong, tooLongError } from './decode-limits.js';
import type { DecodedAudioFile } from './decoded-audio.js';
import { readStreamInfo } from './flac-stream-info.js';
import { checkedAudio, decodeBounded, describeErrors, withWasmDecoder } from './wasm-decoder.js';

/** A frame of CONSTANT subframes: up to 65,536 samples in a 12-byte frame. */
const FLAC_WORST_FRAMES_PER_BYTE = 5462;

/**
 * Decodes native FLAC (`fLaC` at `start`) losslessly with @wasm-audio-decoders/flac (libFLAC).
 * Strict: any frame the decoder rejects (CRC mismatch, lost sync) or a sample count short of what
 * STREAMINFO declares is a `corrupt-stream` error, since a lossless file that lost frames is damaged.
 *
 * With `limits.maxSeconds`, a STREAMINFO total over the limit is refused before decoding, and a
 * stream that declares less (or 0, "unknown") is stopped as soon as it decodes past the limit.
 */
export async function decodeFlac(
  bytes: Uint8Array,
  start: number,
  where?: AudioSource,
  limits: DecodeAudioOptions = {},
): Promise<DecodedAudioFile> {
  const info = readStreamInfo(bytes.subarray(start), where);
  refuseTooLong(info.totalSamples, info.sampleRate, limits, where, 'declared');
  const decoded = await withWasmDecoder(
    '@wasm-audio-decoders/flac',
    async () => new (await import('@wasm-audio-decoders/flac')).FLACDecoder(),
    (decoder) =>
      decodeBounded(decoder, bytes.subarray(start), {
        maxFrames: maxFramesAt(limits, info.sampleRate),
        worstFramesPerByte: FLAC_WORST_FRAMES_PER_BYTE,
        tooLong: (frames, rate) =>
          tooLongError(frames / (rate || info.sampleRate), limits.maxSeconds!, where, 'decoded'),
      }),
    where,
  );
  if (decoded.errors.length > 0) {
    throw wavError(
      'corrupt-stream',
      `corrupt FLAC: ${decoded.errors.length} frame(s) failed to decode`,
      where,
      {
        found: describeErrors(decoded.errors),
        details: { decodeErrors: decoded.errors.length },
      },
    );
  }
  // STREAMINFO's total is 0 when the encoder did not know it (a stream); then only decoded frames count.
  if (info.totalSamples > 0 && decoded.samplesDecoded !== info.totalSamples) {
    throw wavError(
      'corrupt-stream',
      `corrupt FLAC: decoded ${decoded.samplesDecoded} of the ${info.totalSamples} samples STREAMINFO declares (cut short or damaged)`,
      where,
      { expected: `${info.totalSamples} samples`, found: `${decoded.samplesDecoded} samples` },
    );
  }
  return checkedAudio(
    { ...decoded, channelData: decoded.channelData.map((c) => toWavScale(c, info.bitsPerSample)) },
    info.channels,
    { encoding: 'flac', bitsPerSample: info.bitsPerSample, decodeErrors: 0 },
    where,
  );
}

/**
 * libFLAC's WebAssembly build divides by 2^(bits−1) − 1 (so −32768 becomes −1.00003); rescale to
 * `decodeWav`'s 2^(bits−1), so a FLAC and its source WAV decode to the same numbers. Recovering the
 * integer is exact up to 16 bits; at 24 bits a float32 can be off by one step.
 */
function toWavScale(channel: Float32Array, bitsPerSample: number): Float32Array {
  const decoderScale = 2 ** (bitsPerSample - 1) - 1;
  const wavScale = 2 ** (bitsPerSample - 1);
  // In place: the decoder's output is a copy out of WebAssembly memory, ours to reuse.
  for (let i = 0; i < channel.length; i++) channel[i] = Math.round(channel[i]! * decoderScale) / wavScale;
  return channel;
}
