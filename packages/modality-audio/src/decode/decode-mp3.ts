import { type AudioSource, wavError } from './audio-error.js';
import { type DecodeAudioOptions, maxFramesAt, refuseTooLong, tooLongError } from './decode-limits.js';
import type { DecodedAudioFile } from './decoded-audio.js';
import { mpegFrameInfo, readMpegStreamTag } from './mp3-header.js';
import { type MpegHeader, mpegHeaderAt } from './sniff-container.js';
import { checkedAudio, decodeBounded, describeErrors, withWasmDecoder } from './wasm-decoder.js';

/** MPEG frames hold at most 1,152 samples and are rarely under 48 bytes; free format aside, 64 is generous. */
const MP3_WORST_FRAMES_PER_BYTE = 64;

/**
 * Decodes MPEG audio (layer III, and I/II too) with mpg123-decoder, gapless: a LAME/Info tag's
 * encoder delay and padding are trimmed, so the clip lines up with what was encoded.
 *
 * MP3 frames carry no checksum unless CRC-protected, and mpg123 resynchronises past a frame it
 * cannot decode, so damage is reported rather than thrown: `decodeErrors` counts the frames mpg123
 * gave up on (the clip has gaps there). A file shorter than its Xing/Info tag's byte count is a
 * `truncated-stream` error; without such a tag a cut at a frame boundary cannot be seen.
 *
 * With `limits.maxSeconds`, a Xing/Info or VBRI frame count over the limit is refused before
 * decoding, and decoding stops as soon as it passes the limit (an estimate from the bitrate is
 * not trusted to refuse a file).
 */
export async function decodeMp3(
  bytes: Uint8Array,
  start: number,
  where?: AudioSource,
  limits: DecodeAudioOptions = {},
): Promise<DecodedAudioFile> {
  const header = mpegHeaderAt(bytes, start) as MpegHeader;
  const frame = mpegFrameInfo(bytes, start, header);
  const tag = readMpegStreamTag(bytes, start, header);
  // Encoders disagree on whether the count includes a leading ID3v2 tag; allow for either.
  const available = bytes.length;
  if (tag?.bytes !== undefined && available < tag.bytes) {
    throw wavError(
      'truncated-stream',
      'MP3 is cut short: it holds fewer bytes than its Info tag declares',
      where,
      {
        expected: `${tag.bytes} bytes of MPEG audio`,
        found: `${available} bytes`,
      },
    );
  }
  if (tag?.frames !== undefined) {
    refuseTooLong(
      tag.frames * frame.samplesPerFrame - tag.delay - tag.padding,
      frame.sampleRate,
      limits,
      where,
      'declared',
    );
  }
  const decoded = await withWasmDecoder(
    'mpg123-decoder',
    async () => new (await import('mpg123-decoder')).MPEGDecoder(),
    (decoder) =>
      decodeBounded(decoder, bytes.subarray(start), {
        maxFrames: maxFramesAt(limits, frame.sampleRate),
        worstFramesPerByte: MP3_WORST_FRAMES_PER_BYTE,
        tooLong: (frames, rate) =>
          tooLongError(frames / (rate || frame.sampleRate), limits.maxSeconds!, where, 'decoded'),
      }),
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
