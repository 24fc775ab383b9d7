import { type MpegHeader, startsWith } from './sniff-container.js';

const BITRATES_KBPS = {
  v1l1: [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  v1l2: [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  v1l3: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  v2l1: [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  v2l23: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
} as const;

const MPEG1_RATES = [44_100, 48_000, 32_000] as const;

/** The numbers in an MPEG audio frame header (`mpegHeaderAt` already checked it is one). */
export interface MpegFrameInfo {
  sampleRate: number;
  /** Bits per second; 0 for free-format streams, whose frame size the header does not give. */
  bitrate: number;
  samplesPerFrame: number;
  /** Bytes of this frame, padding included; 0 for free format. */
  frameBytes: number;
}

export function mpegFrameInfo(bytes: Uint8Array, at: number, header: MpegHeader): MpegFrameInfo {
  const b2 = bytes[at + 2]!;
  const sampleRate = MPEG1_RATES[(b2 >> 2) & 3]! / (header.version === 1 ? 1 : header.version === 2 ? 2 : 4);
  const table =
    header.version === 1
      ? [BITRATES_KBPS.v1l1, BITRATES_KBPS.v1l2, BITRATES_KBPS.v1l3][header.layer - 1]!
      : header.layer === 1
        ? BITRATES_KBPS.v2l1
        : BITRATES_KBPS.v2l23;
  const bitrate = table[b2 >> 4]! * 1000;
  const padding = (b2 >> 1) & 1;
  const samplesPerFrame = header.layer === 1 ? 384 : header.layer === 3 && header.version !== 1 ? 576 : 1152;
  let frameBytes = 0;
  if (bitrate > 0) {
    frameBytes =
      header.layer === 1
        ? (Math.floor((12 * bitrate) / sampleRate) + padding) * 4
        : Math.floor(((samplesPerFrame / 8) * bitrate) / sampleRate) + padding;
  }
  return { sampleRate, bitrate, samplesPerFrame, frameBytes };
}

/** What a Xing/Info (with its LAME extension) or VBRI header in the first frame declares. */
export interface MpegStreamTag {
  kind: 'xing' | 'vbri';
  /** Audio frames in the stream, the tag's own frame excluded. */
  frames?: number;
  /** Bytes of the stream. */
  bytes?: number;
  /** Encoder delay and end padding from a LAME extension, which gapless decoding trims. */
  delay: number;
  padding: number;
}

/** Reads a Xing/Info or VBRI tag from the frame at `start`, if it carries one. */
export function readMpegStreamTag(
  bytes: Uint8Array,
  start: number,
  header: MpegHeader,
): MpegStreamTag | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const vbri = start + 36;
  if (startsWith(bytes, vbri, 'VBRI') && vbri + 18 <= bytes.length) {
    return {
      kind: 'vbri',
      bytes: view.getUint32(vbri + 10),
      frames: view.getUint32(vbri + 14),
      delay: 0,
      padding: 0,
    };
  }
  if (header.layer !== 3) return undefined;
  const sideInfo = header.version === 1 ? (header.mono ? 17 : 32) : header.mono ? 9 : 17;
  const tag = start + 4 + (header.protectedByCrc ? 2 : 0) + sideInfo;
  if (!startsWith(bytes, tag, 'Xing') && !startsWith(bytes, tag, 'Info')) return undefined;
  if (tag + 8 > bytes.length) return undefined;
  const flags = view.getUint32(tag + 4);
  let at = tag + 8;
  const field = (flag: number, size: number): number | undefined => {
    if (!(flags & flag)) return undefined;
    const value = at + 4 <= bytes.length ? view.getUint32(at) : undefined;
    at += size;
    return value;
  };
  const frames = field(1, 4);
  const streamBytes = field(2, 4);
  field(4, 100); // seek table
  field(8, 4); // quality
  // LAME extension: 9-byte encoder name, then 12 bits of delay and 12 of padding at offset 21.
  let delay = 0;
  let padding = 0;
  if (at + 24 <= bytes.length) {
    const packed = (bytes[at + 21]! << 16) | (bytes[at + 22]! << 8) | bytes[at + 23]!;
    if (startsWith(bytes, at, 'LAME') || startsWith(bytes, at, 'Lavc') || startsWith(bytes, at, 'Lavf')) {
      delay = packed >> 12;
      padding = packed & 0xfff;
    }
  }
  return {
    kind: 'xing',
    ...(frames === undefined ? {} : { frames }),
    ...(streamBytes ? { bytes: streamBytes } : {}),
    delay,
    padding,
  };
}
