import { type AudioSource, wavError } from './audio-error.js';
import type { DecodedAudioFile } from './decoded-audio.js';
import { checkedAudio, describeErrors, withWasmDecoder } from './wasm-decoder.js';

/** `fLaC`, a 4-byte metadata block header, and the 34-byte STREAMINFO block. */
const STREAMINFO_END = 42;

/**
 * Decodes native FLAC (`fLaC` at `start`) losslessly with @wasm-audio-decoders/flac (libFLAC).
 * Strict: any frame the decoder rejects (CRC mismatch, lost sync) or a sample count short of what
 * STREAMINFO declares is a `corrupt-stream` error, since a lossless file that lost frames is damaged.
 */
export async function decodeFlac(
  bytes: Uint8Array,
  start: number,
  where?: AudioSource,
): Promise<DecodedAudioFile> {
  const info = readStreamInfo(bytes.subarray(start), where);
  const decoded = await withWasmDecoder(
    '@wasm-audio-decoders/flac',
    async () => new (await import('@wasm-audio-decoders/flac')).FLACDecoder(),
    (decoder) => decoder.decodeFile(bytes.subarray(start)),
    where,
  );
  if (decoded.errors.length > 0) {
    throw wavError(
      'corrupt-stream',
      `corrupt FLAC: ${decoded.errors.length} frame(s) failed to decode`,
      where,
      {
        found: describeErrors(decoded.errors),
        details: { decodeErrors: decoded.errors.length },
      },
    );
  }
  // STREAMINFO's total is 0 when the encoder did not know it (a stream); then only decoded frames count.
  if (info.totalSamples > 0 && decoded.samplesDecoded !== info.totalSamples) {
    throw wavError(
      'corrupt-stream',
      `corrupt FLAC: decoded ${decoded.samplesDecoded} of the ${info.totalSamples} samples STREAMINFO declares (cut short or damaged)`,
      where,
      { expected: `${info.totalSamples} samples`, found: `${decoded.samplesDecoded} samples` },
    );
  }
  return checkedAudio(
    { ...decoded, channelData: decoded.channelData.map((c) => toWavScale(c, info.bitsPerSample)) },
    info.channels,
    { encoding: 'flac', bitsPerSample: info.bitsPerSample, decodeErrors: 0 },
    where,
  );
}

/**
 * libFLAC's WebAssembly build divides by 2^(bits−1) − 1 (so −32768 becomes −1.00003); rescale to
 * `decodeWav`'s 2^(bits−1), so a FLAC and its source WAV decode to the same numbers. Recovering the
 * integer is exact up to 16 bits; at 24 bits a float32 can be off by one step.
 */
function toWavScale(channel: Float32Array, bitsPerSample: number): Float32Array {
  const decoderScale = 2 ** (bitsPerSample - 1) - 1;
  const wavScale = 2 ** (bitsPerSample - 1);
  return channel.map((x) => Math.round(x * decoderScale) / wavScale);
}

interface StreamInfo {
  channels: number;
  bitsPerSample: number;
  totalSamples: number;
}

function readStreamInfo(flac: Uint8Array, where?: AudioSource): StreamInfo {
  if (flac.length < STREAMINFO_END) {
    throw wavError('truncated-stream', 'FLAC header is cut off before the end of STREAMINFO', where, {
      expected: `>= ${STREAMINFO_END} bytes`,
      found: `${flac.length} bytes`,
    });
  }
  if ((flac[4]! & 0x7f) !== 0) {
    throw wavError('corrupt-stream', 'corrupt FLAC: the first metadata block is not STREAMINFO', where, {
      found: `block type ${flac[4]! & 0x7f}`,
    });
  }
  // STREAMINFO (after the 8 bytes of magic and block header): sample rate 20 bits, channels − 1
  // 3 bits, bits per sample − 1 5 bits, total samples 36 bits, from byte 18.
  const b = (i: number) => flac[i]!;
  return {
    channels: ((b(20) >> 1) & 7) + 1,
    bitsPerSample: (((b(20) & 1) << 4) | (b(21) >> 4)) + 1,
    totalSamples: (b(21) & 0xf) * 2 ** 32 + ((b(22) << 24) >>> 0) + (b(23) << 16) + (b(24) << 8) + b(25),
  };
}
