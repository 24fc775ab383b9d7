import { corrupt, type ImageProbe, truncated } from './bytes.js';

const TAG_WIDTH = 256;
const TAG_HEIGHT = 257;
const TAG_SAMPLES = 277;
/** Where the first image's pixel data lies: strips or tiles, offsets and byte counts. */
const TAG_STRIP_OFFSETS = 273;
const TAG_STRIP_BYTES = 279;
const TAG_TILE_OFFSETS = 324;
const TAG_TILE_BYTES = 325;
const WANTED = new Set([
  TAG_WIDTH,
  TAG_HEIGHT,
  TAG_SAMPLES,
  TAG_STRIP_OFFSETS,
  TAG_STRIP_BYTES,
  TAG_TILE_OFFSETS,
  TAG_TILE_BYTES,
]);
/** Bytes per value of the integer field types read here: SHORT (3), LONG (4), LONG8 (16). */
const SIZES: Record<number, number> = { 3: 2, 4: 4, 16: 8 };
/** Bytes per value of every field type, to check that each entry's values lie inside the file. */
const TYPE_SIZES: Record<number, number> = {
  1: 1,
  2: 1,
  3: 2,
  4: 4,
  5: 8,
  6: 1,
  7: 1,
  8: 2,
  9: 4,
  10: 8,
  11: 4,
  12: 8,
  13: 4,
  16: 8,
  17: 8,
  18: 8,
};

/**
 * TIFF and BigTIFF: width, height and samples per pixel from the first IFD, and the first image's
 * strips (or tiles) against the file's length, so a cut file is found without decoding.
 */
export function probeTiff(bytes: Uint8Array): ImageProbe {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const little = bytes[0] === 0x49;
  const need = (end: number, what: string) => {
    if (end > bytes.length) throw truncated('tiff', `the file ends inside ${what}`);
  };
  need(8, 'the header');
  const big = view.getUint16(2, little) === 43;
  need(big ? 16 : 8, 'the header');
  const offset = big ? Number(view.getBigUint64(8, little)) : view.getUint32(4, little);
  if (offset < 8) throw corrupt('tiff', 'the first IFD offset points into the header');
  need(offset + (big ? 8 : 2), 'the first IFD');
  const count = big ? Number(view.getBigUint64(offset, little)) : view.getUint16(offset, little);
  const entrySize = big ? 20 : 12;
  const first = offset + (big ? 8 : 2);
  // The entries and the next IFD's offset after them.
  need(first + count * entrySize + (big ? 8 : 4), 'the first IFD');
  const read = (at: number, size: number) =>
    size === 2
      ? view.getUint16(at, little)
      : size === 4
        ? view.getUint32(at, little)
        : Number(view.getBigUint64(at, little));
  const tags = new Map<number, number[]>();
  for (let i = 0; i < count; i++) {
    const at = first + i * entrySize;
    const tag = view.getUint16(at, little);
    const type = view.getUint16(at + 2, little);
    const values = big ? Number(view.getBigUint64(at + 4, little)) : view.getUint32(at + 4, little);
    const field = at + (big ? 12 : 8);
    const bytesOfValues = values * (TYPE_SIZES[type] ?? 1);
    const inline = bytesOfValues <= (big ? 8 : 4);
    const start = inline ? field : read(field, big ? 8 : 4);
    need(start + bytesOfValues, 'the values of an IFD entry');
    const size = SIZES[type];
    if (!WANTED.has(tag) || size === undefined) continue;
    tags.set(
      tag,
      Array.from({ length: values }, (_, v) => read(start + v * size, size)),
    );
  }
  const width = tags.get(TAG_WIDTH)?.[0] ?? 0;
  const height = tags.get(TAG_HEIGHT)?.[0] ?? 0;
  if (!(width > 0 && height > 0)) throw corrupt('tiff', 'the first IFD declares no width or height');
  const offsets = tags.get(TAG_STRIP_OFFSETS) ?? tags.get(TAG_TILE_OFFSETS) ?? [];
  const lengths = tags.get(TAG_STRIP_BYTES) ?? tags.get(TAG_TILE_BYTES) ?? [];
  offsets.forEach((start, i) => {
    need(start + (lengths[i] ?? 0), 'the pixel data');
  });
  return { format: 'tiff', width, height, channels: tags.get(TAG_SAMPLES)?.[0] ?? 1 };
}
