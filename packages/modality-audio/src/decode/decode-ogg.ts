import { type AudioSource, wavError } from './audio-error.js';
import { type DecodeAudioOptions, maxFramesAt, refuseTooLong, tooLongError } from './decode-limits.js';
import type { DecodedAudioFile } from './decoded-audio.js';
import { OGG_END_OF_STREAM, OGG_PAGE_HEADER, oggCodecOf, readOggStreamInfo } from './ogg-header.js';
import { escapedMagic, startsWith } from './sniff-container.js';
import { checkedAudio, decodeBounded, describeErrors, withWasmDecoder } from './wasm-decoder.js';

/**
 * An Ogg page holds at most 255 packets, and a Vorbis packet of a byte or two can stand for up to
 * 4,096 samples: about 2,000 frames per byte at worst, with a margin.
 */
const VORBIS_WORST_FRAMES_PER_BYTE = 4096;

/**
 * Decodes Ogg Vorbis with @wasm-audio-decoders/ogg-vorbis (libvorbis), trimmed to the last page's
 * granule position. Strict, like FLAC: Ogg pages are length-delimited and end with an
 * end-of-stream page, so a cut file is a `truncated-stream` error, and any packet libvorbis rejects
 * is a `corrupt-stream` error. Other codecs in Ogg (Opus, FLAC, Speex) are `unsupported-encoding`.
 *
 * With `limits.maxSeconds`, a last granule position over the limit is refused before decoding,
 * and decoding stops as soon as it passes the limit.
 */
export async function decodeOgg(
  bytes: Uint8Array,
  where?: AudioSource,
  limits: DecodeAudioOptions = {},
): Promise<DecodedAudioFile> {
  const { codec, pageEnds } = checkPages(bytes, where);
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
  if (pageEnds.length === 0) {
    // libvorbis output is trimmed to the last granule position, so nothing would be left.
    throw wavError('empty-clip', 'empty clip: no Ogg page states a sample position above 0', where, {
      expected: '>= 1 sample',
      found: '0 samples',
    });
  }
  const info = readOggStreamInfo(bytes, where);
  if (info.lastGranule !== undefined)
    refuseTooLong(info.lastGranule, info.sampleRate, limits, where, 'declared');
  const decoded = await withWasmDecoder(
    '@wasm-audio-decoders/ogg-vorbis',
    async () => new (await import('@wasm-audio-decoders/ogg-vorbis')).OggVorbisDecoder(),
    (decoder) =>
      decodeBounded(decoder, bytes, {
        maxFrames: maxFramesAt(limits, info.sampleRate),
        worstFramesPerByte: VORBIS_WORST_FRAMES_PER_BYTE,
        boundaries: pageEnds,
        tooLong: (frames, rate) =>
          tooLongError(frames / (rate || info.sampleRate), limits.maxSeconds!, where, 'decoded'),
      }),
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
 * the end-of-stream flag. Returns the codec named by the first packet, and where decode chunks may
 * end: page ends, from the page after the first that completes samples (codec-parser hands a page
 * over one call late). Until samples come out, the decoder has not set its channel count and a call
 * costs tens of milliseconds (it builds an array per garbage channel), so no chunk ends before.
 */
function checkPages(bytes: Uint8Array, where?: AudioSource): { codec: string; pageEnds: number[] } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const pageEnds: number[] = [];
  let samplesFrom = -1;
  let at = 0;
  let codec: string | undefined;
  let lastFlags = 0;
  while (at < bytes.length) {
    if (!startsWith(bytes, at, 'OggS')) {
      const rest = bytes.subarray(at);
      if (rest.length < 4 && rest.every((b, i) => b === 'OggS'.charCodeAt(i))) throw cutShort(at, where);
      throw wavError('corrupt-stream', 'corrupt Ogg: expected a page (OggS) here', where, {
        found: escapedMagic(bytes.subarray(at, at + 4)),
        details: { offset: at },
      });
    }
    const segments = bytes[at + 26];
    const bodyAt = at + OGG_PAGE_HEADER + (segments ?? 0);
    if (segments === undefined || bodyAt > bytes.length) throw cutShort(at, where);
    let bodyLength = 0;
    for (let i = at + OGG_PAGE_HEADER; i < bodyAt; i++) bodyLength += bytes[i]!;
    if (bodyAt + bodyLength > bytes.length) throw cutShort(at, where);
    codec ??= oggCodecOf(bytes.subarray(bodyAt, bodyAt + bodyLength));
    lastFlags = bytes[at + 5]!;
    // A granule position above 0 (and not -1, "no packet ends here") means samples are complete.
    const granuleLow = view.getUint32(at + 6, true);
    const granuleHigh = view.getUint32(at + 10, true);
    const producedSamples = granuleHigh !== 0xffffffff && (granuleHigh > 0 || granuleLow > 0);
    at = bodyAt + bodyLength;
    if (samplesFrom >= 0) pageEnds.push(at);
    else if (producedSamples) samplesFrom = at;
  }
  // The stream ends at the first page with samples: one chunk up to the end.
  if (samplesFrom >= 0 && pageEnds.length === 0) pageEnds.push(at);
  if (!(lastFlags & OGG_END_OF_STREAM)) {
    throw wavError(
      'truncated-stream',
      'Ogg stream is cut short: its last page is not an end-of-stream page',
      where,
      {
        found: `${bytes.length} bytes`,
      },
    );
  }
  return { codec: codec ?? 'nothing', pageEnds };
}

function cutShort(pageAt: number, where?: AudioSource) {
  return wavError('truncated-stream', 'Ogg stream is cut short inside a page', where, {
    details: { offset: pageAt },
  });
}
