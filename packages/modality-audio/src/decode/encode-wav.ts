import { ErrorCode, OmnifuseError } from '@omnifuse/core';

/**
 * A 16-bit PCM WAV of one clip: `samples` in [-1, 1] for mono, or one array per channel (equal
 * lengths; written interleaved). Each sample is `round(x · 32768)` clamped to [−32768, 32767],
 * the inverse of `decodeWav`'s scaling, so it reads back every sample in [−1, 1) within 1/65536
 * (and +1 as 32767/32768); values outside [−1, 1] are clipped. A NaN or infinite
 * sample, channels of different lengths, or a sample rate that is not a positive integer is an
 * `OmnifuseError` (`E_INPUT`) naming the channel and sample.
 */
export function encodeWav(
  samples: Float32Array | Float64Array | readonly (Float32Array | Float64Array)[],
  sampleRate: number,
): Uint8Array {
  const channels = ArrayBuffer.isView(samples) ? [samples] : [...samples];
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) {
    throw invalid('the sample rate must be a positive integer', {
      expected: 'an integer > 0',
      found: sampleRate,
    });
  }
  if (channels.length === 0 || channels.length > 65_535) {
    throw invalid('a WAV holds 1 to 65,535 channels', { found: channels.length });
  }
  const frames = channels[0]!.length;
  channels.forEach((channel, c) => {
    if (channel.length !== frames) {
      throw invalid(`channel ${c} has ${channel.length} samples; channel 0 has ${frames}`, {
        expected: frames,
        found: channel.length,
      });
    }
  });
  const blockAlign = channels.length * 2;
  const dataBytes = frames * blockAlign;
  if (44 + dataBytes - 8 > 0xffff_ffff) throw invalid('the clip is over the 4 GiB a WAV can hold', {});
  const bytes = new Uint8Array(44 + dataBytes);
  const view = new DataView(bytes.buffer);
  const ascii = (at: number, text: string) => {
    for (let i = 0; i < text.length; i++) bytes[at + i] = text.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVEfmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, channels.length, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  for (let c = 0; c < channels.length; c++) {
    const channel = channels[c]!;
    for (let i = 0; i < frames; i++) {
      const x = channel[i]!;
      if (!Number.isFinite(x)) {
        throw invalid(`sample ${i} of channel ${c} is ${x}`, { expected: 'a finite number', found: x });
      }
      view.setInt16(
        44 + i * blockAlign + c * 2,
        Math.max(-32768, Math.min(32767, Math.round(x * 32768))),
        true,
      );
    }
  }
  return bytes;
}

function invalid(message: string, extra: { expected?: unknown; found?: unknown }): OmnifuseError {
  return new OmnifuseError({
    code: ErrorCode.InvalidInput,
    message: `encodeWav: ${message}`,
    step: 'encodeWav',
    ...extra,
  });
}
