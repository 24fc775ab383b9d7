import { escapedMagic } from '@omnifuse/core';
/** What the first bytes of a file say it is. */
export type SniffedContainer =
  | { kind: 'wav' }
  | { kind: 'flac'; start: number }
  | { kind: 'ogg' }
  | { kind: 'mp3'; start: number }
  | { kind: 'adts' }
  | { kind: 'unknown'; found: string };

/** How far past an ID3v2 tag to look for the first MPEG frame (encoders pad with zeros). */
const FRAME_SEARCH = 4096;

/**
 * Sniffs the container from magic bytes: `RIFF....WAVE`, `fLaC`, `OggS`, or MPEG audio (an ID3v2
 * tag or a frame sync). An ID3v2 tag is skipped first, since some taggers put one before FLAC too.
 */
export function sniffContainer(bytes: Uint8Array): SniffedContainer {
  if (startsWith(bytes, 0, 'RIFF')) return { kind: 'wav' };
  if (startsWith(bytes, 0, 'OggS')) return { kind: 'ogg' };
  const start = id3v2Length(bytes);
  if (startsWith(bytes, start, 'fLaC')) return { kind: 'flac', start };
  const limit = start > 0 ? Math.min(bytes.length - 4, start + FRAME_SEARCH) : 0;
  for (let at = start; at <= limit; at++) {
    const header = mpegHeaderAt(bytes, at);
    if (header === 'adts') return { kind: 'adts' };
    if (header) return { kind: 'mp3', start: at };
    if (bytes[at] !== 0) break; // only zero padding may sit between the tag and the first frame
  }
  return { kind: 'unknown', found: escapedMagic(bytes) };
}

export interface MpegHeader {
  /** 1, 2 or 2.5 (MPEG-2.5 is the 8/11/12 kHz extension). */
  version: 1 | 2 | 2.5;
  layer: 1 | 2 | 3;
  mono: boolean;
  /** A 16-bit CRC follows the 4-byte header. */
  protectedByCrc: boolean;
}

/** Parses an MPEG audio frame header at `at`; `'adts'` for AAC's look-alike sync (layer bits 00). */
export function mpegHeaderAt(bytes: Uint8Array, at: number): MpegHeader | 'adts' | undefined {
  if (at + 4 > bytes.length || bytes[at] !== 0xff || (bytes[at + 1]! & 0xe0) !== 0xe0) return undefined;
  const b1 = bytes[at + 1]!;
  const b2 = bytes[at + 2]!;
  const versionBits = (b1 >> 3) & 3;
  const layerBits = (b1 >> 1) & 3;
  if (layerBits === 0) return (b1 & 0xf6) === 0xf0 ? 'adts' : undefined;
  if (versionBits === 1 || b2 >> 4 === 15 || ((b2 >> 2) & 3) === 3) return undefined;
  return {
    version: versionBits === 3 ? 1 : versionBits === 2 ? 2 : 2.5,
    layer: (4 - layerBits) as 1 | 2 | 3,
    mono: bytes[at + 3]! >> 6 === 3,
    protectedByCrc: (b1 & 1) === 0,
  };
}

export function startsWith(bytes: Uint8Array, at: number, magic: string): boolean {
  if (at + magic.length > bytes.length) return false;
  for (let i = 0; i < magic.length; i++) if (bytes[at + i] !== magic.charCodeAt(i)) return false;
  return true;
}

export { escapedMagic };

/** Length of a leading ID3v2 tag (header, syncsafe size, optional footer), or 0. */
function id3v2Length(bytes: Uint8Array): number {
  if (!startsWith(bytes, 0, 'ID3') || bytes.length < 10) return 0;
  const size =
    ((bytes[6]! & 0x7f) << 21) | ((bytes[7]! & 0x7f) << 14) | ((bytes[8]! & 0x7f) << 7) | (bytes[9]! & 0x7f);
  const footer = bytes[5]! & 0x10 ? 10 : 0;
  return Math.min(bytes.length, 10 + size + footer);
}
