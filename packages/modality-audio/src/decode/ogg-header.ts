import { type AudioSource, wavError } from './audio-error.js';
import { escapedMagic, startsWith } from './sniff-container.js';

export const OGG_PAGE_HEADER = 27;
export const OGG_END_OF_STREAM = 0x04;
/** 27-byte header, 255 lacing values, 255 segments of 255 bytes. */
const MAX_PAGE = OGG_PAGE_HEADER + 255 + 255 * 255;

/** What an Ogg stream's first and last pages say. */
export interface OggStreamInfo {
  codec: 'vorbis' | 'opus';
  sampleRate: number;
  channels: number;
  /** Samples at the start that an Opus decoder drops (0 for Vorbis). */
  preSkip: number;
  /** The last page's granule position, or undefined when no complete page ends the file. */
  lastGranule?: number;
  /** The last complete page carries the end-of-stream flag. */
  endOfStream: boolean;
}

/** Names the codec of an Ogg stream's first packet. */
export function oggCodecOf(packet: Uint8Array): string {
  if (startsWith(packet, 0, '\x01vorbis')) return 'vorbis';
  if (startsWith(packet, 0, 'OpusHead')) return 'Opus';
  if (startsWith(packet, 0, '\x7fFLAC')) return 'FLAC';
  if (startsWith(packet, 0, 'Speex')) return 'Speex';
  return `unknown (${escapedMagic(packet)})`;
}

/**
 * Reads the identification header in the first page (Vorbis or Opus) and the granule position of
 * the page that ends the file, found by searching back from the end: no page between is read.
 * A first page cut short is `truncated-stream`; another codec is `unsupported-encoding`.
 */
export function readOggStreamInfo(bytes: Uint8Array, where?: AudioSource): OggStreamInfo {
  const first = pageAt(bytes, 0);
  if (!first) {
    throw wavError('truncated-stream', 'Ogg stream is cut short inside its first page', where, {
      found: `${bytes.length} bytes`,
    });
  }
  const packet = bytes.subarray(first.bodyAt, first.end);
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  const codec = oggCodecOf(packet);
  let info: Omit<OggStreamInfo, 'endOfStream'>;
  if (codec === 'vorbis' && packet.length >= 30) {
    info = { codec: 'vorbis', channels: view.getUint8(11), sampleRate: view.getUint32(12, true), preSkip: 0 };
  } else if (codec === 'Opus' && packet.length >= 19) {
    info = {
      codec: 'opus',
      channels: view.getUint8(9),
      sampleRate: 48_000,
      preSkip: view.getUint16(10, true),
    };
  } else if (codec === 'vorbis' || codec === 'Opus') {
    throw wavError('truncated-stream', `the ${codec} identification header is cut short`, where, {
      found: `${packet.length} bytes`,
    });
  } else {
    throw wavError('unsupported-encoding', `unsupported codec in Ogg: ${codec}`, where, {
      expected: 'Vorbis or Opus',
      found: codec,
    });
  }
  if (info.channels === 0 || info.sampleRate === 0) {
    throw wavError('corrupt-stream', `corrupt Ogg: the ${codec} header declares no channels or rate`, where, {
      found: { channels: info.channels, sampleRate: info.sampleRate },
    });
  }
  const last = lastPage(bytes);
  if (!last) return { ...info, endOfStream: false };
  const file = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = file.getUint32(last.at + 6, true);
  const hi = file.getUint32(last.at + 10, true);
  const endOfStream = (bytes[last.at + 5]! & OGG_END_OF_STREAM) !== 0;
  // All ones: no packet ends on this page, so it states no position.
  if (lo === 0xffffffff && hi === 0xffffffff) return { ...info, endOfStream };
  return { ...info, lastGranule: hi * 2 ** 32 + lo, endOfStream };
}

interface Page {
  at: number;
  bodyAt: number;
  end: number;
}

/** The page at `at` if its header and body fit in `bytes`. */
function pageAt(bytes: Uint8Array, at: number): Page | undefined {
  if (!startsWith(bytes, at, 'OggS') || at + OGG_PAGE_HEADER > bytes.length) return undefined;
  const segments = bytes[at + 26]!;
  const bodyAt = at + OGG_PAGE_HEADER + segments;
  if (bodyAt > bytes.length) return undefined;
  let end = bodyAt;
  for (let i = at + OGG_PAGE_HEADER; i < bodyAt; i++) end += bytes[i]!;
  return end <= bytes.length ? { at, bodyAt, end } : undefined;
}

/** The page (version 0) that ends exactly at the end of `bytes`, searching back at most one page size. */
function lastPage(bytes: Uint8Array): Page | undefined {
  const stop = Math.max(0, bytes.length - MAX_PAGE);
  for (let at = bytes.length - OGG_PAGE_HEADER; at >= stop; at--) {
    if (bytes[at] !== 0x4f || bytes[at + 4] !== 0) continue; // 'O', stream structure version 0
    const page = pageAt(bytes, at);
    if (page && page.end === bytes.length) return page;
  }
  return undefined;
}
