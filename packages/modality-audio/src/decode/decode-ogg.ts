import { type AudioSource, wavError } from './audio-error.js';
import type { DecodedAudioFile } from './decoded-audio.js';
import { printable, startsWith } from './sniff-container.js';
import { checkedAudio, describeErrors, withWasmDecoder } from './wasm-decoder.js';

const PAGE_HEADER = 27;
const END_OF_STREAM = 0x04;

/**
 * Decodes Ogg Vorbis with @wasm-audio-decoders/ogg-vorbis (libvorbis), trimmed to the last page's
 * granule position. Strict, like FLAC: Ogg pages are length-delimited and end with an
 * end-of-stream page, so a cut file is a `truncated-stream` error, and any packet libvorbis rejects
 * is a `corrupt-stream` error. Other codecs in Ogg (Opus, FLAC, Speex) are `unsupported-encoding`.
 */
export async function decodeOgg(bytes: Uint8Array, where?: AudioSource): Promise<DecodedAudioFile> {
  const codec = checkPages(bytes, where);
  if (codec !== 'vorbis') {
    throw wavError(
      'unsupported-encoding',
      `unsupported codec in Ogg: ${codec} (only Vorbis is decoded)`,
      where,
      {
        expected: 'Vorbis',
        found: codec,
      },
    );
  }
  const decoded = await withWasmDecoder(
    '@wasm-audio-decoders/ogg-vorbis',
    async () => new (await import('@wasm-audio-decoders/ogg-vorbis')).OggVorbisDecoder(),
    (decoder) => decoder.decodeFile(bytes),
    where,
  );
  if (decoded.errors.length > 0) {
    throw wavError(
      'corrupt-stream',
      `corrupt Ogg Vorbis: ${decoded.errors.length} packet(s) failed to decode`,
      where,
      {
        found: describeErrors(decoded.errors),
        details: { decodeErrors: decoded.errors.length },
      },
    );
  }
  return checkedAudio(decoded, decoded.channelData.length, { encoding: 'vorbis', decodeErrors: 0 }, where);
}

/**
 * Walks the Ogg pages: each must start with `OggS` and fit in the file, and the last must carry
 * the end-of-stream flag. Returns the codec named by the first packet.
 */
function checkPages(bytes: Uint8Array, where?: AudioSource): string {
  let at = 0;
  let codec: string | undefined;
  let lastFlags = 0;
  while (at < bytes.length) {
    if (!startsWith(bytes, at, 'OggS')) {
      const rest = bytes.subarray(at);
      if (rest.length < 4 && rest.every((b, i) => b === 'OggS'.charCodeAt(i))) throw cutShort(at, where);
      throw wavError('corrupt-stream', 'corrupt Ogg: expected a page (OggS) here', where, {
        found: printable(bytes.subarray(at, at + 4)),
        details: { offset: at },
      });
    }
    const segments = bytes[at + 26];
    const bodyAt = at + PAGE_HEADER + (segments ?? 0);
    if (segments === undefined || bodyAt > bytes.length) throw cutShort(at, where);
    let bodyLength = 0;
    for (let i = at + PAGE_HEADER; i < bodyAt; i++) bodyLength += bytes[i]!;
    if (bodyAt + bodyLength > bytes.length) throw cutShort(at, where);
    codec ??= codecOf(bytes.subarray(bodyAt, bodyAt + bodyLength));
    lastFlags = bytes[at + 5]!;
    at = bodyAt + bodyLength;
  }
  if (!(lastFlags & END_OF_STREAM)) {
    throw wavError(
      'truncated-stream',
      'Ogg stream is cut short: its last page is not an end-of-stream page',
      where,
      {
        found: `${bytes.length} bytes`,
      },
    );
  }
  return codec ?? 'nothing';
}

function codecOf(packet: Uint8Array): string {
  if (startsWith(packet, 0, '\x01vorbis')) return 'vorbis';
  if (startsWith(packet, 0, 'OpusHead')) return 'Opus';
  if (startsWith(packet, 0, '\x7fFLAC')) return 'FLAC';
  if (startsWith(packet, 0, 'Speex')) return 'Speex';
  return `unknown (${printable(packet.subarray(0, 8))})`;
}

function cutShort(pageAt: number, where?: AudioSource) {
  return wavError('truncated-stream', 'Ogg stream is cut short inside a page', where, {
    details: { offset: pageAt },
  });
}
