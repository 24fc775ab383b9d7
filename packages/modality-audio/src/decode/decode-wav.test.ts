import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { describe, expect, it } from 'vitest';
import { decodeWav } from './decode-wav.js';
import { encodeTestWav, quantise } from './test-wav.js';

function sine(n: number, rate: number, hz: number, amp = 0.8, phase = 0): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / rate + phase));
}

function expectWavError(run: () => unknown, problem: string, reason: RegExp): OmnifuseError {
  try {
    run();
  } catch (error) {
    expect(OmnifuseError.isInstance(error)).toBe(true);
    const e = error as OmnifuseError;
    expect(e.code).toBe(ErrorCode.InvalidInput);
    expect(e.details?.problem).toBe(problem);
    expect(e.reason).toMatch(reason);
    return e;
  }
  throw new Error('expected decodeWav to throw');
}

const where = { record: 'r7', field: 'audio', file: 'clip.wav' };

describe('decodeWav: every supported encoding', () => {
  const cases = [
    { encoding: 'pcm', bits: 8, extensible: false },
    { encoding: 'pcm', bits: 16, extensible: false },
    { encoding: 'pcm', bits: 24, extensible: false },
    { encoding: 'pcm', bits: 32, extensible: false },
    { encoding: 'float', bits: 32, extensible: false },
    { encoding: 'float', bits: 64, extensible: false },
    { encoding: 'pcm', bits: 16, extensible: true },
    { encoding: 'pcm', bits: 24, extensible: true },
    { encoding: 'float', bits: 32, extensible: true },
  ] as const;

  for (const { encoding, bits, extensible } of cases) {
    it(`${bits}-bit ${encoding}${extensible ? ' (extensible)' : ''}, stereo 44.1 kHz, within one quantisation step`, () => {
      const rate = 44_100;
      const left = sine(441, rate, 440);
      const right = sine(441, rate, 1000, 0.5, 1);
      const wav = encodeTestWav({
        sampleRate: rate,
        channels: [left, right],
        encoding,
        bitsPerSample: bits,
        extensible,
      });
      const out = decodeWav(wav);
      expect(out.sampleRate).toBe(rate);
      expect(out.channels).toBe(2);
      expect(out.format).toEqual({ encoding, bitsPerSample: bits });
      expect(out.truncated).toBe(false);
      // One quantisation step, but never finer than what a Float32Array can hold near 1.
      const step = Math.max(encoding === 'pcm' ? 2 ** -(bits - 1) : 0, 2 ** -23);
      for (const [c, source] of [left, right].entries()) {
        const decoded = out.samples[c]!;
        expect(decoded.length).toBe(441);
        let worst = 0;
        for (let i = 0; i < source.length; i++) {
          worst = Math.max(worst, Math.abs(decoded[i]! - source[i]!));
          expect(decoded[i]).toBeCloseTo(Math.fround(quantise(source[i]!, encoding, bits)), 6);
        }
        expect(worst).toBeLessThanOrEqual(step);
      }
    });
  }

  it('decodes any channel count and rate (6 channels at 96 kHz)', () => {
    const channels = Array.from({ length: 6 }, (_, c) => sine(100, 96_000, 1000 * (c + 1)));
    const out = decodeWav(
      encodeTestWav({ sampleRate: 96_000, channels, encoding: 'pcm', bitsPerSample: 16 }),
    );
    expect(out.channels).toBe(6);
    expect(out.samples[5]![10]).toBeCloseTo(channels[5]![10]!, 4);
  });

  it('maps full scale to [-1, 1)', () => {
    const out = decodeWav(
      encodeTestWav({
        sampleRate: 8000,
        channels: [Float64Array.of(-1, 1, 0)],
        encoding: 'pcm',
        bitsPerSample: 8,
      }),
    );
    expect(Array.from(out.samples[0]!)).toEqual([-1, 127 / 128, 0]);
  });
});

describe('decodeWav: chunk layout', () => {
  it('skips unknown chunks, honours pad bytes of odd-sized chunks, accepts data before fmt', () => {
    const tone = sine(50, 8000, 300);
    const wav = encodeTestWav({
      sampleRate: 8000,
      channels: [tone],
      encoding: 'pcm',
      bitsPerSample: 16,
      chunksBefore: [
        { id: 'LIST', body: new Uint8Array(7).fill(0x41) },
        { id: 'junk', body: new Uint8Array(3) },
      ],
      dataFirst: true,
    });
    const out = decodeWav(wav);
    expect(out.samples[0]!.length).toBe(50);
    expect(out.samples[0]![3]).toBeCloseTo(tone[3]!, 4);
  });

  it('decodes the whole frames present when the data chunk claims more than the file holds', () => {
    const tone = sine(100, 8000, 300);
    const wav = encodeTestWav({
      sampleRate: 8000,
      channels: [tone, tone],
      encoding: 'pcm',
      bitsPerSample: 16,
    });
    const cut = wav.subarray(0, wav.length - 6); // 1.5 frames short
    const out = decodeWav(cut);
    expect(out.truncated).toBe(true);
    expect(out.samples[0]!.length).toBe(98);
    const streamed = encodeTestWav({
      sampleRate: 8000,
      channels: [tone],
      encoding: 'pcm',
      bitsPerSample: 16,
      dataSizeOverride: 0xffffffff,
    });
    expect(decodeWav(streamed).samples[0]!.length).toBe(100);
  });
});

describe('decodeWav: broken files become typed errors', () => {
  const good = encodeTestWav({
    sampleRate: 8000,
    channels: [sine(64, 8000, 300)],
    encoding: 'pcm',
    bitsPerSample: 16,
  });

  it('names record, field and file', () => {
    const e = expectWavError(() => decodeWav(new Uint8Array(3), where), 'not-riff-wave', /not a RIFF\/WAVE/);
    expect(e).toMatchObject(where);
    expect(e.message).toContain('record "r7"');
    expect(e.message).toContain('file clip.wav');
  });

  it('random bytes and text are not RIFF/WAVE', () => {
    let state = 12345;
    const noise = Uint8Array.from({ length: 200 }, () => {
      state = (state * 1103515245 + 12345) >>> 0;
      return state >>> 24;
    });
    expectWavError(() => decodeWav(noise, where), 'not-riff-wave', /not a RIFF\/WAVE/);
    const text = new TextEncoder().encode('digit,speaker\n0,jackson\n');
    const e = expectWavError(() => decodeWav(text, where), 'not-riff-wave', /not a RIFF\/WAVE/);
    expect(e.found).toBe('"digit,sp"'); // at most 8 bytes of a file are quoted
  });

  it('a header cut inside or before fmt is a truncated header', () => {
    expectWavError(() => decodeWav(good.subarray(0, 30), where), 'truncated-header', /cut off/);
    expectWavError(() => decodeWav(good.subarray(0, 16), where), 'truncated-header', /cut off/);
  });

  it('a file without fmt or data says which chunk is missing', () => {
    const riffOnly = good.slice(0, 12);
    expectWavError(() => decodeWav(riffOnly, where), 'missing-fmt', /missing fmt chunk/);
    expectWavError(() => decodeWav(good.subarray(0, 36), where), 'missing-data', /missing data chunk/);
  });

  it('zero-length data, or data cut before one whole frame, is an empty clip', () => {
    const empty = encodeTestWav({
      sampleRate: 8000,
      channels: [new Float64Array(0)],
      encoding: 'pcm',
      bitsPerSample: 16,
    });
    expectWavError(() => decodeWav(empty, where), 'empty-clip', /empty clip/);
    expectWavError(() => decodeWav(good.subarray(0, 45), where), 'empty-clip', /empty clip/);
  });

  it('µ-law, A-law and ADPCM are named as unsupported encodings', () => {
    for (const [code, name] of [
      [7, 'µ-law'],
      [6, 'A-law'],
      [2, 'Microsoft ADPCM'],
      [0x11, 'IMA ADPCM'],
    ] as const) {
      const wav = encodeTestWav({
        sampleRate: 8000,
        channels: [sine(8, 8000, 300)],
        encoding: 'pcm',
        bitsPerSample: 8,
        formatCode: code,
      });
      const e = expectWavError(() => decodeWav(wav, where), 'unsupported-encoding', new RegExp(name));
      expect(e.found).toBe(name);
    }
    const extensibleMuLaw = encodeTestWav({
      sampleRate: 8000,
      channels: [sine(8, 8000, 300)],
      encoding: 'pcm',
      bitsPerSample: 8,
      formatCode: 7,
      extensible: true,
    });
    expectWavError(() => decodeWav(extensibleMuLaw), 'unsupported-encoding', /µ-law/);
  });

  it('unsupported sample sizes are rejected', () => {
    const wav = encodeTestWav({
      sampleRate: 8000,
      channels: [sine(8, 8000, 300)],
      encoding: 'pcm',
      bitsPerSample: 16,
    });
    new DataView(wav.buffer).setUint16(20, 3, true); // format 3 (float) with 16-bit samples
    expectWavError(() => decodeWav(wav), 'unsupported-encoding', /16-bit float/);
  });

  it('NaN or Inf in float data is an error with the frame', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      for (const bits of [32, 64]) {
        const wav = encodeTestWav({
          sampleRate: 8000,
          channels: [Float64Array.of(0, 0.5, bad, 0)],
          encoding: 'float',
          bitsPerSample: bits,
        });
        const e = expectWavError(() => decodeWav(wav, where), 'non-finite-sample', /non-finite/);
        expect(e.details).toMatchObject({ frame: 2, channel: 0 });
      }
    }
  });
});
