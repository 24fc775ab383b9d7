import { type AudioSource, wavError } from './audio-error.js';

/** `fLaC`, a 4-byte metadata block header, and the 34-byte STREAMINFO block. */
export const STREAMINFO_END = 42;

/** The STREAMINFO fields a decoder and a probe need. */
export interface FlacStreamInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** Sample frames in the stream; 0 when the encoder did not know (a stream). */
  totalSamples: number;
}

/**
 * Reads STREAMINFO from a native FLAC stream (`flac` starts at `fLaC`). A header cut before its
 * end is `truncated-stream`; a first block that is not STREAMINFO, or a sample rate of 0, is
 * `corrupt-stream`.
 */
export function readStreamInfo(flac: Uint8Array, where?: AudioSource): FlacStreamInfo {
  if (flac.length < STREAMINFO_END) {
    throw wavError('truncated-stream', 'FLAC header is cut off before the end of STREAMINFO', where, {
      expected: `>= ${STREAMINFO_END} bytes`,
      found: `${flac.length} bytes`,
    });
  }
  if ((flac[4]! & 0x7f) !== 0) {
    throw wavError('corrupt-stream', 'corrupt FLAC: the first metadata block is not STREAMINFO', where, {
      found: `block type ${flac[4]! & 0x7f}`,
    });
  }
  // STREAMINFO (after the 8 bytes of magic and block header): sample rate 20 bits, channels − 1
  // 3 bits, bits per sample − 1 5 bits, total samples 36 bits, from byte 18.
  const b = (i: number) => flac[i]!;
  const sampleRate = (b(18) << 12) | (b(19) << 4) | (b(20) >> 4);
  if (sampleRate === 0) {
    throw wavError('corrupt-stream', 'corrupt FLAC: STREAMINFO declares a sample rate of 0', where, {
      expected: '> 0 Hz',
      found: 0,
    });
  }
  return {
    sampleRate,
    channels: ((b(20) >> 1) & 7) + 1,
    bitsPerSample: (((b(20) & 1) << 4) | (b(21) >> 4)) + 1,
    totalSamples: (b(21) & 0xf) * 2 ** 32 + ((b(22) << 24) >>> 0) + (b(23) << 16) + (b(24) << 8) + b(25),
  };
}
