import { type AudioSource, wavError } from './audio-error.js';
import { escapedMagic } from './sniff-container.js';
import { parseFmtChunk, type WavFormat } from './wav-format.js';

/** What a WAV's chunks say, read without touching the samples. */
export interface WavHeader {
  format: WavFormat;
  /** Offset of the first sample byte. */
  dataOffset: number;
  /** Sample frames the data chunk's size declares (0xFFFFFFFF when a recorder streamed it). */
  declaredFrames: number;
  /** Whole sample frames actually present in the file, at most `declaredFrames`. */
  availableFrames: number;
  /** Bytes of the data chunk present in the file. */
  availableBytes: number;
  /** The data chunk declares more bytes than the file holds. */
  truncated: boolean;
}

interface Chunk {
  offset: number;
  /** Declared size, possibly beyond the end of the file (only tolerated for `data`). */
  size: number;
}

/**
 * Reads a RIFF/WAVE file's `fmt ` and `data` chunk headers (in any order, skipping others). Throws
 * the typed WAV errors (`not-riff-wave`, `truncated-header`, `missing-fmt`, `bad-fmt`,
 * `unsupported-encoding`, `missing-data`); a data chunk that holds no whole frame is not an error
 * here (`availableFrames` is 0), so a probe can report an empty clip as such.
 */
export function readWavHeader(bytes: Uint8Array, where?: AudioSource): WavHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 12 || fourCc(view, 0) !== 'RIFF' || fourCc(view, 8) !== 'WAVE') {
    throw wavError('not-riff-wave', 'not a RIFF/WAVE file', where, {
      expected: "'RIFF' .... 'WAVE' header",
      found: bytes.byteLength < 12 ? `${bytes.byteLength} bytes` : escapedMagic(bytes),
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

  const available = Math.max(0, Math.min(data.size, view.byteLength - data.offset));
  return {
    format,
    dataOffset: data.offset,
    declaredFrames: Math.floor(data.size / format.blockAlign),
    availableFrames: Math.floor(available / format.blockAlign),
    availableBytes: available,
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
