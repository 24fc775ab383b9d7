import { type AudioSource, wavError } from './audio-error.js';
import type { WavFormat } from './wav-format.js';

/** De-interleaves `frames` frames starting at `offset` into one Float32Array per channel. */
export function readSamples(
  view: DataView,
  offset: number,
  frames: number,
  format: WavFormat,
  where?: AudioSource,
): Float32Array[] {
  const { channels, bitsPerSample, encoding, blockAlign } = format;
  const bytes = bitsPerSample / 8;
  const read = sampleReader(view, encoding, bitsPerSample);
  const out = Array.from({ length: channels }, () => new Float32Array(frames));
  for (let f = 0; f < frames; f++) {
    const frameStart = offset + f * blockAlign;
    for (let c = 0; c < channels; c++) {
      const value = read(frameStart + c * bytes);
      if (encoding === 'float' && !Number.isFinite(value)) {
        throw wavError('non-finite-sample', 'float data holds a non-finite sample', where, {
          expected: 'finite samples',
          found: String(value),
          details: { frame: f, channel: c },
        });
      }
      out[c]![f] = value;
    }
  }
  return out;
}

/** Integer PCM is scaled by 2^(bits-1) so full scale maps to [-1, 1); float is passed through. */
function sampleReader(view: DataView, encoding: WavFormat['encoding'], bits: number): (at: number) => number {
  if (encoding === 'float') {
    return bits === 32 ? (at) => view.getFloat32(at, true) : (at) => view.getFloat64(at, true);
  }
  switch (bits) {
    case 8:
      return (at) => (view.getUint8(at) - 128) / 128;
    case 16:
      return (at) => view.getInt16(at, true) / 32768;
    case 24:
      return (at) => {
        const value = view.getUint8(at) | (view.getUint8(at + 1) << 8) | (view.getInt8(at + 2) << 16);
        return value / 8388608;
      };
    default:
      return (at) => view.getInt32(at, true) / 2147483648;
  }
}

/**
 * The first NaN or Inf in `frames` frames of float PCM at `offset`, without decoding into arrays
 * (what a cheap check may do); undefined when all are finite or the encoding is integer.
 */
export function findNonFiniteSample(
  view: DataView,
  offset: number,
  frames: number,
  format: WavFormat,
): { frame: number; channel: number; value: number } | undefined {
  if (format.encoding !== 'float') return undefined;
  const read = sampleReader(view, format.encoding, format.bitsPerSample);
  const bytes = format.bitsPerSample / 8;
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < format.channels; c++) {
      const value = read(offset + f * format.blockAlign + c * bytes);
      if (!Number.isFinite(value)) return { frame: f, channel: c, value };
    }
  }
  return undefined;
}
