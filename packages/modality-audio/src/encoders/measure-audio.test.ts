import { type EncoderMeasureContext, type MeasureLimits, readMedia } from '@omnifuse/core';
import { flacConstantBomb, flacDeclaringHours } from '@omnifuse/test-utils/audio-corpus';
import { describe, expect, it, vi } from 'vitest';
import { encodeWav } from '../decode/encode-wav.js';
import { createCnn1dEncoder } from './cnn1d.js';
import { measureAudioValue } from './measure-audio.js';

const context = (limits: MeasureLimits): EncoderMeasureContext => ({
  record: 'r1',
  field: 'sound',
  readMedia: (ref) => readMedia(ref),
  limits,
});
const inline = (bytes: Uint8Array) => ({ kind: 'inline' as const, bytes });
const tone = (seconds: number) =>
  encodeWav(
    Float32Array.from({ length: seconds * 8000 }, (_, i) => 0.5 * Math.sin(i / 5)),
    8000,
  );
const options = { maxDuration: 600 };

describe('measureAudioValue', () => {
  it("takes an exact WAV's length from its header, without decoding", async () => {
    const measured = await measureAudioValue(inline(tone(0.5)), context({ seconds: 30 }), options);
    expect(measured).toEqual({ seconds: 0.5, source: 'header' });
  });

  it('answers from the header alone when it declares more than the limit', async () => {
    const flac = flacDeclaringHours(4);
    // Frames garbled after STREAMINFO: decoding would fail, so the answer can only be the header's.
    const garbled = flac.map((byte, i) => (i < 42 ? byte : 0x5a));
    for (const bytes of [flac, garbled]) {
      await expect(measureAudioValue(inline(bytes), context({ seconds: 1 }), options)).resolves.toEqual({
        seconds: 14_400,
        source: 'header',
      });
    }
  });

  it('decodes a stream of unknown length with the limit, stopping once past it', async () => {
    const bomb = flacConstantBomb({ seconds: 4 * 3600, declareTotal: false });
    await expect(measureAudioValue(inline(bomb), context({ seconds: 1 }), options)).resolves.toEqual({
      seconds: 1,
      source: 'decoded',
      stoppedAtLimit: true,
    });
    const short = flacConstantBomb({ seconds: 0.5, declareTotal: false });
    await expect(measureAudioValue(inline(short), context({ seconds: 1 }), options)).resolves.toEqual({
      seconds: 0.5,
      source: 'decoded',
    });
  });

  it("bounds decoding by the encoder's maxDuration when the caller sets no limit", async () => {
    const bomb = flacConstantBomb({ seconds: 3600, declareTotal: false });
    await expect(measureAudioValue(inline(bomb), context({}), { maxDuration: 2 })).resolves.toEqual({
      seconds: 2,
      source: 'decoded',
      stoppedAtLimit: true,
    });
  });

  it('throws E_INPUT for bytes that are not audio, and measures audio decoded in code', async () => {
    await expect(
      measureAudioValue(inline(new TextEncoder().encode('fLaC but not really')), context({}), options),
    ).rejects.toMatchObject({ name: 'OmnifuseError', code: 'E_INPUT' });
    await expect(
      measureAudioValue({ sampleRate: 4000, samples: new Float32Array(6000) }, context({}), options),
    ).resolves.toEqual({ seconds: 1.5, source: 'decoded' });
    await expect(
      measureAudioValue({ sampleRate: 0, samples: new Float32Array(1) }, context({}), options),
    ).rejects.toMatchObject({ code: 'E_INPUT' });
  });

  it("is every audio encoder's measure hook, reading through context.readMedia", async () => {
    const encoder = createCnn1dEncoder({ preprocess: { maxDuration: 3 } });
    const read = vi.fn(async () => flacConstantBomb({ seconds: 60, declareTotal: false }));
    const measured = await encoder.measure!(
      { kind: 'file', path: '/data/a.flac', relativePath: 'a.flac' },
      { ...context({}), readMedia: read },
    );
    expect(read).toHaveBeenCalledOnce();
    expect(measured).toEqual({ seconds: 3, source: 'decoded', stoppedAtLimit: true });
  });
});
