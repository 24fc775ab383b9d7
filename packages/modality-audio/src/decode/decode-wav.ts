import { type AudioSource, wavError } from './audio-error.js';
import { type DecodeAudioOptions, refuseTooLong } from './decode-limits.js';
import type { DecodedWav } from './decoded-audio.js';
import { readSamples } from './pcm-samples.js';
import { readWavHeader } from './wav-header.js';

/**
 * Decodes a RIFF/WAVE file: PCM 8/16/24/32-bit, IEEE float 32/64-bit, and WAVE_FORMAT_EXTENSIBLE
 * with either sub-format; any rate, any channel count; chunks in any order.
 *
 * A data chunk that claims more bytes than the file holds is decoded up to the last whole frame
 * present and flagged `truncated: true` (recorders that crash, or stream with a placeholder size,
 * leave such files and their audio is still good); a clip with no whole frame is an error.
 *
 * With `limits.maxSeconds`, a clip whose frames present last longer is a `too-long` error, raised
 * from the header before any sample is read (the frames present, not a streamed placeholder size).
 */
export function decodeWav(
  bytes: Uint8Array,
  where?: AudioSource,
  limits: DecodeAudioOptions = {},
): DecodedWav {
  const header = readWavHeader(bytes, where);
  const { format, availableFrames: frames } = header;
  if (frames === 0) {
    throw wavError('empty-clip', 'empty clip: the data chunk holds no whole sample frame', where, {
      expected: `>= ${format.blockAlign} bytes of data`,
      found: `${header.availableBytes} bytes`,
    });
  }
  refuseTooLong(frames, format.sampleRate, limits, where, 'declared');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    sampleRate: format.sampleRate,
    channels: format.channels,
    samples: readSamples(view, header.dataOffset, frames, format, where),
    format: { encoding: format.encoding, bitsPerSample: format.bitsPerSample },
    truncated: header.truncated,
  };
}
