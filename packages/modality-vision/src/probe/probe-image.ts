import { OmnifuseError } from '@omnifuse/core';
import { describeBytes, escapedMagic, nonImageKind } from '../preprocess/describe-bytes.js';
import { type ImageFormat, sniffImageFormat } from '../preprocess/image-format.js';
import { type ImageProbe, probeError } from './bytes.js';
import { probeIsobmff } from './isobmff.js';
import { probeJpeg } from './jpeg.js';
import { probePng } from './png.js';
import { probeBmp, probeGif, probeWebp } from './simple-formats.js';
import { probeTiff } from './tiff.js';

const PROBES: Partial<Record<ImageFormat, (bytes: Uint8Array) => ImageProbe>> = {
  PNG: probePng,
  JPEG: probeJpeg,
  GIF: probeGif,
  WebP: probeWebp,
  BMP: probeBmp,
  TIFF: probeTiff,
  AVIF: probeIsobmff,
  HEIF: probeIsobmff,
};

/**
 * Reads an image's format, size and declared channels from its header, without decoding: pure
 * TypeScript, cost proportional to the file's size at most (PNG: every chunk's CRC-32 and IEND;
 * JPEG: a frame header and the end-of-image marker; the other formats: their header and the
 * sizes it declares), so truncated and corrupt files are found without sharp.
 *
 * Throws `E_INPUT` with `details.problem`: `empty`, `unknown-format` (with `details.kind` when the
 * bytes are audio, text, …), `unsupported-format` (SVG), `truncated` or `corrupt`. No message or
 * detail quotes more than the first 8 bytes, escaped.
 */
export function probeImage(bytes: Uint8Array): ImageProbe {
  if (bytes.length === 0) throw probeError('empty', 'empty image: 0 bytes');
  const format = sniffImageFormat(bytes);
  if (format === 'SVG') {
    throw probeError('unsupported-format', 'SVG is a vector format: it has no pixel size to read', {
      format: 'svg',
    });
  }
  const probe = format && PROBES[format];
  if (!probe) {
    const kind = nonImageKind(bytes);
    throw probeError(
      'unknown-format',
      `not an image: ${kind ? `the bytes are ${kind}` : 'no known image signature'} (first bytes ${escapedMagic(bytes)})`,
      { kind, found: describeBytes(bytes) },
    );
  }
  try {
    return probe(bytes);
  } catch (cause) {
    if (OmnifuseError.isInstance(cause)) throw cause;
    // A DataView read past the end: an offset in the header points outside the file.
    throw probeError('truncated', `truncated ${format}: the header points past the end of the file`, {
      format: format.toLowerCase(),
    });
  }
}
