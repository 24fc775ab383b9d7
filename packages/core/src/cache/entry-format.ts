import * as zlib from 'node:zlib';
import { featureArrayType } from '../feature-arrays.js';
import type { Feature, FeatureDType } from '../spec/index.js';

/**
 * One cache entry on disk: a 16-byte header, the shape, then the raw little-endian elements.
 *
 *   0  'O' 'F' 'C' 1      magic and format version
 *   4  u8 dtype           1 = float32, 2 = int32
 *   5  u8 rank            ≤ 16
 *   6  u16 reserved       0
 *   8  u32 element count
 *  12  u32 crc32 of the data bytes
 *  16  u32 × rank         dimensions
 *  ..  data               element count × 4 bytes
 *
 * The reader checks every field, the exact length and the checksum, so a truncated, partly written
 * or bit-flipped file is never returned as a feature.
 */
const MAGIC = [0x4f, 0x46, 0x43, 0x01] as const;
const HEADER_BYTES = 16;
const MAX_RANK = 16;
const DTYPE_CODES: Record<FeatureDType, number> = { float32: 1, int32: 2, uint8: 3 };

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const crc32: (bytes: Uint8Array) => number =
  typeof (zlib as { crc32?: unknown }).crc32 === 'function'
    ? (bytes) => zlib.crc32(bytes) >>> 0
    : crc32Fallback;

let table: Uint32Array | undefined;
/** Plain CRC-32 (IEEE) for Node versions before 20.15, which lack `zlib.crc32`. */
function crc32Fallback(bytes: Uint8Array): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = table[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function dataBytes(data: Feature['data']): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Serialises a feature into one buffer (header, shape, data). */
export function encodeFeatureEntry(feature: Feature): Uint8Array {
  if (!LITTLE_ENDIAN) throw new Error('the feature cache needs a little-endian platform');
  const rank = feature.shape.length;
  if (rank > MAX_RANK) throw new Error(`feature rank ${rank} exceeds ${MAX_RANK}`);
  const headerBytes = HEADER_BYTES + 4 * rank;
  const data = dataBytes(feature.data);
  const out = new Uint8Array(headerBytes + data.byteLength);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint8(4, DTYPE_CODES[feature.dtype]);
  view.setUint8(5, rank);
  view.setUint32(8, feature.data.length, true);
  view.setUint32(12, crc32(data), true);
  feature.shape.forEach((dim, i) => {
    view.setUint32(HEADER_BYTES + 4 * i, dim, true);
  });
  out.set(data, headerBytes);
  return out;
}

/** The feature in an entry, or undefined when the entry is malformed, truncated or corrupt. */
export function decodeFeatureEntry(bytes: Uint8Array): Feature | undefined {
  if (!LITTLE_ENDIAN || bytes.byteLength < HEADER_BYTES) return undefined;
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const code = view.getUint8(4);
  const dtype: FeatureDType | undefined =
    code === 1 ? 'float32' : code === 2 ? 'int32' : code === 3 ? 'uint8' : undefined;
  const rank = view.getUint8(5);
  if (dtype === undefined || rank > MAX_RANK || view.getUint16(6, true) !== 0) return undefined;
  const count = view.getUint32(8, true);
  const headerBytes = HEADER_BYTES + 4 * rank;
  const ArrayType = featureArrayType(dtype);
  if (bytes.byteLength !== headerBytes + ArrayType.BYTES_PER_ELEMENT * count) return undefined;
  const shape: number[] = [];
  let product = 1;
  for (let i = 0; i < rank; i++) {
    const dim = view.getUint32(HEADER_BYTES + 4 * i, true);
    shape.push(dim);
    product *= dim;
  }
  if (product !== count) return undefined;
  const payload = bytes.subarray(headerBytes);
  if (crc32(payload) !== view.getUint32(12, true)) return undefined;
  // Copy into a fresh, aligned buffer: the file buffer may sit at any offset.
  const data = new ArrayType(count);
  new Uint8Array(data.buffer).set(payload);
  return { dtype, shape, data };
}
