import { type AudioSource, wavError } from './audio-error.js';
import type { DecodedAudioFile } from './decoded-audio.js';
import { type MpegHeader, mpegHeaderAt, startsWith } from './sniff-container.js';
import { checkedAudio, describeErrors, withWasmDecoder } from './wasm-decoder.js';

/**
 * Decodes MPEG audio (layer III, and I/II too) with mpg123-decoder, gapless: a LAME/Info tag's
 * encoder delay and padding are trimmed, so the clip lines up with what was encoded.
 *
 * MP3 frames carry no checksum unless CRC-protected, and mpg123 resynchronises past a frame it
 * cannot decode, so damage is reported rather than thrown: `decodeErrors` counts the frames mpg123
 * gave up on (the clip has gaps there). A file shorter than its Xing/Info tag's byte count is a
 * `truncated-stream` error; without such a tag a cut at a frame boundary cannot be seen.
 */
export async function decodeMp3(
  bytes: Uint8Array,
  start: number,
  where?: AudioSource,
): Promise<DecodedAudioFile> {
  const header = mpegHeaderAt(bytes, start) as MpegHeader;
  const declared = infoTagBytes(bytes, start, header);
  // Encoders disagree on whether the count includes a leading ID3v2 tag; allow for either.
  const available = bytes.length;
  if (declared !== undefined && available < declared) {
    throw wavError(
      'truncated-stream',
      'MP3 is cut short: it holds fewer bytes than its Info tag declares',
      where,
      {
        expected: `${declared} bytes of MPEG audio`,
        found: `${available} bytes`,
      },
    );
  }
  const decoded = await withWasmDecoder(
    'mpg123-decoder',
    async () => new (await import('mpg123-decoder')).MPEGDecoder(),
    (decoder) => decoder.decode(bytes.subarray(start)),
    where,
  );
  if (decoded.samplesDecoded === 0 && decoded.errors.length > 0) {
    throw wavError('corrupt-stream', 'corrupt MP3: no frame could be decoded', where, {
      found: describeErrors(decoded.errors),
    });
  }
  // mpg123-decoder always returns two channels; a mono stream's are identical.
  return checkedAudio(
    decoded,
    header.mono ? 1 : 2,
    { encoding: 'mp3', decodeErrors: decoded.errors.length },
    where,
  );
}

/** The stream size a Xing/Info tag in the first frame declares, if it has one. */
function infoTagBytes(bytes: Uint8Array, start: number, header: MpegHeader): number | undefined {
  if (header.layer !== 3) return undefined;
  const sideInfo = header.version === 1 ? (header.mono ? 17 : 32) : header.mono ? 9 : 17;
  const tag = start + 4 + (header.protectedByCrc ? 2 : 0) + sideInfo;
  if (!startsWith(bytes, tag, 'Xing') && !startsWith(bytes, tag, 'Info')) return undefined;
  if (tag + 16 > bytes.length) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const flags = view.getUint32(tag + 4);
  if (!(flags & 2)) return undefined;
  const bytesField = view.getUint32(tag + 8 + (flags & 1 ? 4 : 0));
  return bytesField > 0 ? bytesField : undefined;
}
