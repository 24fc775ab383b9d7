import { corrupt, type ImageProbe, truncated, u16be } from './bytes.js';

/** Start-of-frame markers: C0–CF except DHT (C4), JPG (C8) and DAC (CC). */
const isStartOfFrame = (marker: number): boolean =>
  marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
/** Markers with no length field: TEM, RST0–7, SOI, EOI. */
const isStandalone = (marker: number): boolean => marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8);

/**
 * Walks a JPEG's marker segments for the frame header (SOF) and then skips the entropy-coded data
 * (a byte search for 0xFF, never a decode) from scan to scan until EOI: a cut file has no EOI.
 * Bytes after EOI are ignored, as decoders do.
 */
export function probeJpeg(bytes: Uint8Array): ImageProbe {
  let frame: { width: number; height: number; channels: number } | undefined;
  let at = 2;
  for (;;) {
    if (at >= bytes.length) throw truncated('jpeg', frame ? 'no end-of-image marker' : 'no frame header');
    if (bytes[at] !== 0xff) throw corrupt('jpeg', `no marker at byte ${at}`);
    // Any number of 0xFF fill bytes may precede a marker.
    while (bytes[at + 1] === 0xff) at++;
    if (at + 1 >= bytes.length) throw truncated('jpeg', 'the file ends inside a marker');
    const marker = bytes[at + 1]!;
    if (marker === 0xd9) break;
    if (marker === 0x00 || marker === 0xd8) throw corrupt('jpeg', `unexpected marker at byte ${at}`);
    if (isStandalone(marker)) {
      at += 2;
      continue;
    }
    if (at + 4 > bytes.length) throw truncated('jpeg', 'the file ends inside a segment header');
    const length = u16be(bytes, at + 2);
    if (length < 2) throw corrupt('jpeg', `a segment at byte ${at} has length ${length}`);
    const end = at + 2 + length;
    if (end > bytes.length) throw truncated('jpeg', 'the file ends inside a segment');
    if (isStartOfFrame(marker)) {
      if (length < 8) throw corrupt('jpeg', 'the frame header is too short');
      const height = u16be(bytes, at + 5);
      const width = u16be(bytes, at + 7);
      // A height of 0 means "set by a later DNL marker", which libjpeg does not support either.
      if (width === 0 || height === 0) throw corrupt('jpeg', `the frame header declares ${width}×${height}`);
      frame = { width, height, channels: bytes[at + 9]! };
    }
    at = end;
    if (marker === 0xda) {
      if (!frame) throw corrupt('jpeg', 'a scan before any frame header');
      at = skipEntropyCoded(bytes, at);
    }
  }
  if (!frame) throw corrupt('jpeg', 'end-of-image marker before any frame header');
  return { format: 'jpeg', ...frame };
}

/** Index of the next marker after entropy-coded data (0xFF not followed by 0x00 or RST), or the length. */
function skipEntropyCoded(bytes: Uint8Array, from: number): number {
  let at = from;
  for (;;) {
    at = bytes.indexOf(0xff, at);
    if (at < 0 || at + 1 >= bytes.length) return bytes.length;
    const next = bytes[at + 1]!;
    if (next !== 0x00 && next !== 0xff && !(next >= 0xd0 && next <= 0xd7)) return at;
    at += next === 0xff ? 1 : 2;
  }
}
