import { ascii, corrupt, type ImageProbe, truncated, u32be } from './bytes.js';
import { crc32 } from './crc32.js';

/** Channels of each PNG colour type (3, palette, gains alpha from a tRNS chunk like 0 and 2). */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 3, 4: 2, 6: 4 };
const MAX_CHUNK = 2 ** 31 - 1;

/**
 * Reads a PNG's IHDR and walks every chunk, checking its CRC-32, up to IEND: a cut file ends
 * before IEND, a flipped bit fails a CRC. Nothing is inflated, so a decompression bomb costs no
 * more than its file size.
 */
export function probePng(bytes: Uint8Array): ImageProbe {
  let width = 0;
  let height = 0;
  let channels: number | undefined;
  let hasData = false;
  let transparency = false;
  for (let at = 8, index = 0; ; index++) {
    if (at + 8 > bytes.length) throw truncated('png', `the file ends before IEND, after ${index} chunks`);
    const length = u32be(bytes, at);
    const type = ascii(bytes, at + 4, 4);
    if (length > MAX_CHUNK || !/^[A-Za-z]{4}$/.test(type)) {
      throw corrupt('png', `chunk ${index} has an invalid header`, { chunkIndex: index });
    }
    const end = at + 8 + length;
    if (end + 4 > bytes.length) throw truncated('png', `the file ends inside the ${type} chunk`);
    if (crc32(bytes, at + 4, end) !== u32be(bytes, end)) {
      throw corrupt('png', `the ${type} chunk fails its CRC-32 check`, { chunk: type });
    }
    if (index === 0) {
      if (type !== 'IHDR' || length !== 13) throw corrupt('png', 'the first chunk is not a 13-byte IHDR');
      width = u32be(bytes, at + 8);
      height = u32be(bytes, at + 12);
      channels = CHANNELS[bytes[at + 17]!];
      if (width === 0 || height === 0 || width > MAX_CHUNK || height > MAX_CHUNK) {
        throw corrupt('png', `IHDR declares an invalid size ${width}×${height}`);
      }
      if (channels === undefined) throw corrupt('png', `IHDR declares an unknown colour type`);
    } else if (type === 'IHDR') {
      throw corrupt('png', 'a second IHDR chunk');
    } else if (type === 'IDAT') {
      hasData = true;
    } else if (type === 'tRNS') {
      transparency = true;
    } else if (type === 'IEND') {
      if (!hasData) throw corrupt('png', 'no IDAT chunk before IEND');
      // Bytes after IEND are ignored, as decoders do.
      break;
    }
    at = end + 4;
  }
  const withAlpha = transparency && (channels === 1 || channels === 3) ? channels + 1 : channels;
  return { format: 'png', width, height, channels: withAlpha };
}
