import { type AudioSource, wavError } from './audio-error.js';
import type { DecodedWav } from './decoded-audio.js';
import { readSamples } from './pcm-samples.js';
import { parseFmtChunk } from './wav-format.js';

interface Chunk {
  offset: number;
  /** Declared size, possibly beyond the end of the file (only tolerated for `data`). */
  size: number;
}

/**
 * Decodes a RIFF/WAVE file: PCM 8/16/24/32-bit, IEEE float 32/64-bit, and WAVE_FORMAT_EXTENSIBLE
 * with either sub-format; any rate, any channel count; chunks in any order.
 *
 * A data chunk that claims more bytes than the file holds is decoded up to the last whole frame
 * present and flagged `truncated: true` (recorders that crash, or stream with a placeholder size,
 * leave such files and their audio is still good); a clip with no whole frame is an error.
 */
export function decodeWav(bytes: Uint8Array, where?: AudioSource): DecodedWav {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 12 || fourCc(view, 0) !== 'RIFF' || fourCc(view, 8) !== 'WAVE') {
    throw wavError('not-riff-wave', 'not a RIFF/WAVE file', where, {
      expected: "'RIFF' .... 'WAVE' header",
      found: bytes.byteLength < 12 ? `${bytes.byteLength} bytes` : printable(bytes.subarray(0, 12)),
    });
  }

  const { fmt, data } = findChunks(view, where);
  if (!fmt) throw wavError('missing-fmt', 'missing fmt chunk', where);
  if (fmt.offset + fmt.size > view.byteLength) {
    throw wavError('truncated-header', 'fmt chunk is cut off by the end of the file', where, {
      expected: `${fmt.size} bytes`,
      found: `${view.byteLength - fmt.offset} bytes`,
    });
  }
  const format = parseFmtChunk(view, fmt.offset, fmt.size, where);
  if (!data) throw wavError('missing-data', 'missing data chunk', where);

  const available = Math.min(data.size, view.byteLength - data.offset);
  const frames = Math.floor(available / format.blockAlign);
  if (frames === 0) {
    throw wavError('empty-clip', 'empty clip: the data chunk holds no whole sample frame', where, {
      expected: `>= ${format.blockAlign} bytes of data`,
      found: `${available} bytes`,
    });
  }
  return {
    sampleRate: format.sampleRate,
    channels: format.channels,
    samples: readSamples(view, data.offset, frames, format, where),
    format: { encoding: format.encoding, bitsPerSample: format.bitsPerSample },
    truncated: data.size > available,
  };
}

function findChunks(view: DataView, where?: AudioSource): { fmt?: Chunk; data?: Chunk } {
  const found: { fmt?: Chunk; data?: Chunk } = {};
  let at = 12;
  while (at + 8 <= view.byteLength) {
    const id = fourCc(view, at);
    const size = view.getUint32(at + 4, true);
    const chunk = { offset: at + 8, size };
    if (id === 'fmt ' && !found.fmt) found.fmt = chunk;
    else if (id === 'data' && !found.data) found.data = chunk;
    // Chunks are padded to an even size; the pad byte is not counted in `size`.
    at = chunk.offset + size + (size % 2);
    if (found.fmt && found.data) break;
  }
  // Ran off the end (or left a partial chunk header) before finding fmt: the file was cut short.
  if (!found.fmt && at !== view.byteLength) {
    throw wavError('truncated-header', 'WAV header is cut off before the fmt chunk', where, {
      found: `${view.byteLength} bytes`,
    });
  }
  return found;
}

function fourCc(view: DataView, at: number): string {
  return String.fromCharCode(
    view.getUint8(at),
    view.getUint8(at + 1),
    view.getUint8(at + 2),
    view.getUint8(at + 3),
  );
}

function printable(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
}
