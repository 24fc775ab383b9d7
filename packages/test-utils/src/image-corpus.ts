// Image files made in code for tests of image checks and decoding: one valid PNG and the ways files
// break in real datasets (cut off, empty, not an image, misnamed, bit-flipped, decompression bomb).
// Pure TypeScript and node:zlib, so no binary is committed and every byte is explained here.

import { crc32, deflateSync } from 'node:zlib';
import { concatBytes } from './bytes.js';

const PNG_SIGNATURE = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** One PNG chunk: length, type, data, CRC-32 of type and data. */
export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** An 8-bit greyscale PNG of `width × height` from its already-compressed IDAT payload. */
function greyPng(width: number, height: number, idat: Uint8Array): Uint8Array {
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, 0, 0, 0, 0], 8); // 8-bit grey, deflate, no filter, no interlace
  return concatBytes([
    PNG_SIGNATURE,
    pngChunk('IHDR', header),
    pngChunk('IDAT', idat),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}

/** The 28×28 pixels of {@link digitPng}: a white "0" (a ring) on black, MNIST-like. */
export function digitPixels(): Uint8Array {
  const side = 28;
  const pixels = new Uint8Array(side * side);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      // An ellipse ring, taller than wide, with a soft edge.
      const r = Math.hypot((x - 13.5) / 7, (y - 13.5) / 10);
      const ink = 1 - Math.min(1, Math.abs(r - 1) * 4);
      pixels[y * side + x] = Math.round(255 * Math.max(0, ink));
    }
  }
  return pixels;
}

/** A valid 28×28 greyscale PNG of a digit-like ring (real, decodable pixels). */
export function digitPng(): Uint8Array {
  const side = 28;
  const pixels = digitPixels();
  const rows = new Uint8Array((side + 1) * side);
  for (let y = 0; y < side; y++) rows.set(pixels.subarray(y * side, (y + 1) * side), y * (side + 1) + 1);
  return greyPng(side, side, deflateSync(rows));
}

/** {@link digitPng} cut inside its IDAT chunk: no IEND, half the compressed pixels. */
export function truncatedPng(): Uint8Array {
  const png = digitPng();
  return png.slice(0, Math.floor(png.length * 0.6));
}

/** {@link digitPng} with the IDAT chunk's CRC-32 flipped: a critical chunk, so decoders refuse it too. */
export function badCrcPng(): Uint8Array {
  const png = digitPng().slice();
  const idat = 33; // signature (8) + IHDR chunk (25)
  const length = new DataView(png.buffer).getUint32(idat);
  png[idat + 8 + length + 3]! ^= 0xff;
  return png;
}

/**
 * A 30000×30000 greyscale PNG (900 megapixels by its header) of a few hundred bytes: the IDAT is a
 * small valid zlib stream of one zero row, as a decompression bomb's header would claim the size.
 */
export function hugePng(side = 30_000): Uint8Array {
  return greyPng(side, side, deflateSync(new Uint8Array(side + 1)));
}

/** A zero-byte file. */
export function emptyFile(): Uint8Array {
  return new Uint8Array(0);
}

/** Plain text, as a notes file saved with an image's name. */
export function textBytes(text = 'these are my holiday notes, not a picture\n'): Uint8Array {
  return new TextEncoder().encode(text);
}

/**
 * A valid 16×16 baseline greyscale JPEG, every pixel 128: four 8×8 blocks whose DC difference and
 * AC coefficients are all zero, with one-code Huffman tables. Name it `x.png` for a misnamed file.
 */
export function greyJpeg(): Uint8Array {
  const segment = (marker: number, body: readonly number[]) => [
    0xff,
    marker,
    (body.length + 2) >> 8,
    (body.length + 2) & 0xff,
    ...body,
  ];
  const bits = (count: number) => [count, ...new Array(15).fill(0)];
  return Uint8Array.from([
    0xff,
    0xd8, // SOI
    ...segment(0xdb, [0x00, ...new Array(64).fill(1)]), // DQT 0: all ones
    ...segment(0xc0, [8, 0, 16, 0, 16, 1, 1, 0x11, 0]), // SOF0: 8-bit, 16×16, 1 component
    ...segment(0xc4, [0x00, ...bits(1), 0x00]), // DHT DC 0: one 1-bit code, category 0
    ...segment(0xc4, [0x10, ...bits(1), 0x00]), // DHT AC 0: one 1-bit code, end of block
    ...segment(0xda, [1, 1, 0x00, 0, 63, 0]), // SOS: component 1, tables 0/0, full spectrum
    0x00, // four blocks × (DC "0", EOB "0") = eight zero bits
    0xff,
    0xd9, // EOI
  ]);
}

/** A 16-bit PCM mono WAV of a 440 Hz tone (`ms` milliseconds at 8 kHz), e.g. saved as `x.png`. */
export function wavBytes(ms = 20): Uint8Array {
  const rate = 8000;
  const samples = Math.round((rate * ms) / 1000);
  const out = new Uint8Array(44 + 2 * samples);
  const view = new DataView(out.buffer);
  const text = (at: number, value: string) => {
    for (let i = 0; i < value.length; i++) out[at + i] = value.charCodeAt(i);
  };
  text(0, 'RIFF');
  view.setUint32(4, 36 + 2 * samples, true);
  text(8, 'WAVEfmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, rate, true);
  view.setUint32(28, rate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  text(36, 'data');
  view.setUint32(40, 2 * samples, true);
  for (let i = 0; i < samples; i++) {
    view.setInt16(44 + 2 * i, Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), true);
  }
  return out;
}

/** A 2×1 24-bit BMP (a real bitmap, in a format the image preprocessor does not decode). */
export function bmpBytes(): Uint8Array {
  const out = new Uint8Array(62);
  const view = new DataView(out.buffer);
  out.set([0x42, 0x4d], 0); // BM
  view.setUint32(2, 62, true);
  view.setUint32(10, 54, true);
  view.setUint32(14, 40, true);
  view.setInt32(18, 2, true);
  view.setInt32(22, 1, true);
  view.setUint16(26, 1, true);
  view.setUint16(28, 24, true);
  return out;
}

/** One corpus file: a suggested name (its extension matters for name checks) and its bytes. */
export interface CorpusFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** The valid digit and every broken file, with names as a dataset would hold them. */
export function imageCorpus(): Record<
  'valid' | 'truncated' | 'empty' | 'text' | 'jpegAsPng' | 'wavAsPng' | 'badCrc' | 'huge' | 'bmp',
  CorpusFile
> {
  return {
    valid: { name: 'digit.png', bytes: digitPng() },
    truncated: { name: 'truncated.png', bytes: truncatedPng() },
    empty: { name: 'empty.png', bytes: emptyFile() },
    text: { name: 'notes.png', bytes: textBytes() },
    jpegAsPng: { name: 'photo.png', bytes: greyJpeg() },
    wavAsPng: { name: 'speech.png', bytes: wavBytes() },
    badCrc: { name: 'bitrot.png', bytes: badCrcPng() },
    huge: { name: 'bomb.png', bytes: hugePng() },
    bmp: { name: 'old.bmp', bytes: bmpBytes() },
  };
}
