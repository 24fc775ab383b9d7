import { ErrorCode, OmnifuseError } from '@omnifuse/core';

/** Mono as the per-frame mean of the channels (keeps [-1, 1] and does not favour a channel). */
export function downmix(channels: readonly Float32Array[]): Float32Array {
  if (channels.length === 0) {
    throw new OmnifuseError({ code: ErrorCode.InvalidInput, message: 'downmix needs at least one channel' });
  }
  const length = channels[0]!.length;
  if (channels.some((c) => c.length !== length)) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidInput,
      message: 'downmix needs channels of equal length',
      found: channels.map((c) => c.length),
    });
  }
  if (channels.length === 1) return channels[0]!.slice();
  const out = new Float32Array(length);
  for (const channel of channels) {
    for (let i = 0; i < length; i++) out[i]! += channel[i]!;
  }
  const scale = 1 / channels.length;
  for (let i = 0; i < length; i++) out[i]! *= scale;
  return out;
}
