import { OmnifuseError } from '@omnifuse/core';
import { describe, expect, it } from 'vitest';
import { decodeWav } from './decode-wav.js';
import { encodeWav } from './encode-wav.js';

describe('encodeWav', () => {
  it('writes mono 16-bit PCM that decodeWav reads back within half a step', () => {
    const samples = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i / 7) * 0.8);
    const bytes = encodeWav(samples, 22_050);
    expect(bytes.length).toBe(44 + 2000);
    const decoded = decodeWav(bytes);
    expect(decoded.sampleRate).toBe(22_050);
    expect(decoded.samples).toHaveLength(1);
    expect(decoded.format).toEqual({ encoding: 'pcm', bitsPerSample: 16 });
    expect(decoded.truncated).toBe(false);
    for (let i = 0; i < samples.length; i++) {
      expect(Math.abs(decoded.samples[0]![i]! - samples[i]!)).toBeLessThanOrEqual(1 / 65536 + 1e-9);
    }
  });

  it('interleaves channels and writes the header fields a reader checks', () => {
    const left = Float64Array.from([0, 0.5, -0.5]);
    const right = Float64Array.from([1, -1, 0.25]);
    const bytes = encodeWav([left, right], 8000);
    const view = new DataView(bytes.buffer);
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('RIFF');
    expect(view.getUint32(4, true)).toBe(bytes.length - 8);
    expect(view.getUint16(22, true)).toBe(2);
    expect(view.getUint32(28, true)).toBe(8000 * 4);
    expect(view.getUint16(32, true)).toBe(4);
    expect([0, 1, 2, 3, 4, 5].map((k) => view.getInt16(44 + 2 * k, true))).toEqual([
      0, 32767, 16384, -32768, -16384, 8192,
    ]);
    expect(decodeWav(bytes).samples.map((c) => c.length)).toEqual([3, 3]);
  });

  it('clips values outside [-1, 1]', () => {
    const view = new DataView(encodeWav(Float32Array.from([2, -3]), 8000).buffer);
    expect([view.getInt16(44, true), view.getInt16(46, true)]).toEqual([32767, -32768]);
  });

  it('names the channel and sample of a NaN, and refuses bad rates and ragged channels', () => {
    const error = (() => {
      try {
        encodeWav([Float32Array.from([0, 0]), Float32Array.from([0, Number.NaN])], 8000);
      } catch (e) {
        return e;
      }
    })();
    expect(OmnifuseError.isInstance(error)).toBe(true);
    expect((error as OmnifuseError).message).toContain('sample 1 of channel 1 is NaN');
    expect(() => encodeWav(Float32Array.from([0]), 0)).toThrow(/positive integer/);
    expect(() => encodeWav(Float32Array.from([0]), 44_100.5)).toThrow(/positive integer/);
    expect(() => encodeWav([Float32Array.from([0, 0]), Float32Array.from([0])], 8000)).toThrow(
      /channel 1 has 1 samples; channel 0 has 2/,
    );
    expect(() => encodeWav([], 8000)).toThrow(/1 to 65,535 channels/);
  });

  it('writes an empty clip that decodeWav refuses as empty', () => {
    const bytes = encodeWav(new Float32Array(0), 8000);
    expect(bytes.length).toBe(44);
    expect(() => decodeWav(bytes)).toThrow(OmnifuseError);
  });
});
