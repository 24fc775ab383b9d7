import {
  asciiAt,
  corrupt,
  type ImageProbe,
  i32le,
  type ProbedImageFormat,
  truncated,
  u16le,
  u24le,
  u32le,
} from './bytes.js';

function positive(format: ProbedImageFormat, width: number, height: number): void {
  if (!(width > 0 && height > 0)) throw corrupt(format, `the header declares ${width}×${height}`);
}

/** GIF: the logical screen size of the header; the colour table says nothing of alpha. */
export function probeGif(bytes: Uint8Array): ImageProbe {
  if (bytes.length < 13) throw truncated('gif', 'the file ends inside the header');
  const width = u16le(bytes, 6);
  const height = u16le(bytes, 8);
  positive('gif', width, height);
  return { format: 'gif', width, height };
}

/** WebP: the RIFF size against the file's length, then the VP8 (lossy), VP8L or VP8X header. */
export function probeWebp(bytes: Uint8Array): ImageProbe {
  if (bytes.length < 30) throw truncated('webp', 'the file ends inside the header');
  const riffEnd = 8 + u32le(bytes, 4);
  if (riffEnd > bytes.length) {
    throw truncated('webp', `the RIFF header declares ${riffEnd} bytes, the file has ${bytes.length}`);
  }
  let width: number;
  let height: number;
  let alpha: boolean;
  if (asciiAt(bytes, 12, 'VP8 ')) {
    if (!(bytes[23] === 0x9d && bytes[24] === 0x01 && bytes[25] === 0x2a)) {
      throw corrupt('webp', 'the VP8 frame has no start code');
    }
    width = u16le(bytes, 26) & 0x3fff;
    height = u16le(bytes, 28) & 0x3fff;
    alpha = false;
  } else if (asciiAt(bytes, 12, 'VP8L')) {
    if (bytes[20] !== 0x2f) throw corrupt('webp', 'the VP8L stream has no signature');
    const bits = u32le(bytes, 21);
    width = (bits & 0x3fff) + 1;
    height = ((bits >>> 14) & 0x3fff) + 1;
    alpha = ((bits >>> 28) & 1) === 1;
  } else if (asciiAt(bytes, 12, 'VP8X')) {
    width = u24le(bytes, 24) + 1;
    height = u24le(bytes, 27) + 1;
    alpha = (bytes[20]! & 0x10) !== 0;
  } else {
    throw corrupt('webp', 'no VP8, VP8L or VP8X chunk first');
  }
  positive('webp', width, height);
  return { format: 'webp', width, height, channels: alpha ? 4 : 3 };
}

/** BMP: the DIB header (OS/2 core or Windows info); a negative height is a top-down bitmap. */
export function probeBmp(bytes: Uint8Array): ImageProbe {
  if (bytes.length < 26) throw truncated('bmp', 'the file ends inside the header');
  const dibSize = u32le(bytes, 14);
  let width: number;
  let height: number;
  let bitCount: number;
  if (dibSize === 12) {
    width = u16le(bytes, 18);
    height = u16le(bytes, 20);
    bitCount = u16le(bytes, 24);
  } else if (dibSize >= 40) {
    if (bytes.length < 30) throw truncated('bmp', 'the file ends inside the header');
    width = i32le(bytes, 18);
    height = Math.abs(i32le(bytes, 22));
    bitCount = u16le(bytes, 28);
  } else {
    throw corrupt('bmp', `unknown DIB header size ${dibSize}`);
  }
  positive('bmp', width, height);
  const pixelOffset = u32le(bytes, 10);
  if (pixelOffset > bytes.length) throw truncated('bmp', 'the file ends before its pixels');
  return { format: 'bmp', width, height, channels: bitCount === 32 ? 4 : 3 };
}
