import {
  ascii,
  corrupt,
  type ImageProbe,
  type ProbedImageFormat,
  truncated,
  u16be,
  u32be,
  u64be,
} from './bytes.js';

interface Box {
  readonly type: string;
  /** First byte of the payload (after size, type and any 64-bit size). */
  readonly start: number;
  readonly end: number;
}

const AVIF_BRANDS = new Set(['avif', 'avis']);
const HEIF_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1']);

/** The boxes in `[start, end)`; a box that runs past the file is a truncated file. */
function boxes(bytes: Uint8Array, start: number, end: number, format: ProbedImageFormat): Box[] {
  const out: Box[] = [];
  for (let at = start; at < end; ) {
    if (at + 8 > end) throw truncated(format, 'the file ends inside a box header');
    let size = u32be(bytes, at);
    let header = 8;
    if (size === 1) {
      if (at + 16 > end) throw truncated(format, 'the file ends inside a box header');
      size = u64be(bytes, at + 8);
      header = 16;
    } else if (size === 0) {
      size = end - at;
    }
    if (size < header) throw corrupt(format, `a box at byte ${at} declares ${size} bytes`);
    if (at + size > end) throw truncated(format, `the file ends inside the ${ascii(bytes, at + 4, 4)} box`);
    out.push({ type: ascii(bytes, at + 4, 4), start: at + header, end: at + size });
    at += size;
  }
  return out;
}

const child = (list: readonly Box[], type: string) => list.find((box) => box.type === type);

/**
 * AVIF and HEIF (ISO base media files): the brand from `ftyp`, then the primary item's `ispe`
 * (image spatial extents) property through `meta` → `pitm`, `iprp` → `ipco` / `ipma`.
 */
export function probeIsobmff(bytes: Uint8Array): ImageProbe {
  const top = boxes(bytes, 0, bytes.length, 'avif');
  const ftyp = top[0]!;
  const brands = [ascii(bytes, ftyp.start, 4)];
  for (let at = ftyp.start + 8; at + 4 <= ftyp.end; at += 4) brands.push(ascii(bytes, at, 4));
  const format: ProbedImageFormat = brands.some((b) => AVIF_BRANDS.has(b)) ? 'avif' : 'heif';
  if (format === 'heif' && !brands.some((b) => HEIF_BRANDS.has(b))) {
    throw corrupt(format, 'the file type box names no image brand');
  }
  const meta = child(top, 'meta');
  if (!meta) throw truncated(format, 'no meta box');
  // meta is a full box: 4 bytes of version and flags before its children.
  const metaBoxes = boxes(bytes, meta.start + 4, meta.end, format);
  const iprp = child(metaBoxes, 'iprp');
  if (!iprp) throw corrupt(format, 'no item properties box');
  const iprpBoxes = boxes(bytes, iprp.start, iprp.end, format);
  const ipco = child(iprpBoxes, 'ipco');
  if (!ipco) throw corrupt(format, 'no item property container');
  const properties = boxes(bytes, ipco.start, ipco.end, format);
  const primary = primaryProperties(bytes, metaBoxes, iprpBoxes);
  const ispe =
    primary.map((index) => properties[index - 1]).find((box) => box?.type === 'ispe') ??
    child(properties, 'ispe');
  if (!ispe || ispe.end - ispe.start < 12) throw corrupt(format, 'no image size (ispe) property');
  const width = u32be(bytes, ispe.start + 4);
  const height = u32be(bytes, ispe.start + 8);
  if (width === 0 || height === 0)
    throw corrupt(format, `the image size property declares ${width}×${height}`);
  return { format, width, height };
}

/** 1-based property indices the primary item (`pitm`) is associated with in `ipma`; [] when unknown. */
function primaryProperties(
  bytes: Uint8Array,
  metaBoxes: readonly Box[],
  iprpBoxes: readonly Box[],
): number[] {
  const pitm = child(metaBoxes, 'pitm');
  const ipma = child(iprpBoxes, 'ipma');
  if (!pitm || !ipma) return [];
  const item = bytes[pitm.start] === 0 ? u16be(bytes, pitm.start + 4) : u32be(bytes, pitm.start + 4);
  const version = bytes[ipma.start]!;
  const wideIndex = (bytes[ipma.start + 3]! & 1) === 1;
  const entries = u32be(bytes, ipma.start + 4);
  let at = ipma.start + 8;
  for (let e = 0; e < entries && at < ipma.end; e++) {
    const id = version < 1 ? u16be(bytes, at) : u32be(bytes, at);
    at += version < 1 ? 2 : 4;
    const count = bytes[at++]!;
    const indices: number[] = [];
    for (let a = 0; a < count; a++) {
      indices.push(wideIndex ? u16be(bytes, at) & 0x7fff : bytes[at]! & 0x7f);
      at += wideIndex ? 2 : 1;
    }
    if (id === item) return indices;
  }
  return [];
}
