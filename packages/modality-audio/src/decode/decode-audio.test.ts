import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ErrorCode, type MediaRef, OmnifuseError } from '@omnifuse/core';
import { describeWithData, sharedDataPath } from '@omnifuse/test-utils';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCnn2dEncoder } from '../encoders/cnn2d.js';
import { decodeAudio } from './decode-audio.js';
import { decodeWav } from './decode-wav.js';
import { downmix } from './downmix.js';
import { encodeTestWav } from './test-wav.js';
import { checkedAudio } from './wasm-decoder.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/compressed/', import.meta.url));
const fixture = (name: string) => new Uint8Array(readFileSync(FIXTURES + name));
const where = (file: string) => ({ record: 'r3', field: 'audio', file });

async function expectAudioError(
  run: Promise<unknown>,
  problem: string,
  file: string,
): Promise<OmnifuseError> {
  const error = await run.then(
    () => {
      throw new Error(`expected ${file} to fail with ${problem}`);
    },
    (e: unknown) => e,
  );
  expect(OmnifuseError.isInstance(error), String(error)).toBe(true);
  const e = error as OmnifuseError;
  expect(e.code).toBe(ErrorCode.InvalidInput);
  expect(e.details?.problem, e.message).toBe(problem);
  expect(e).toMatchObject(where(file));
  return e;
}

/** The lag (source index − decoded index) within ±maxLag that best lines the clips up. */
function bestLag(source: Float32Array, decoded: Float32Array, maxLag: number): number {
  let best = 0;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    let score = 0;
    for (let i = Math.max(0, lag); i < source.length && i - lag < decoded.length; i++) {
      score += source[i]! * decoded[i - lag]!;
    }
    if (score > bestScore) [best, bestScore] = [lag, score];
  }
  return best;
}

/** SNR (dB) of `decoded` against `source` after aligning by cross-correlation, over their overlap. */
function alignedSnr(
  source: Float32Array,
  decoded: Float32Array,
  maxLag: number,
): { lag: number; snr: number } {
  const lag = bestLag(source, decoded, maxLag);
  let signal = 0;
  let noise = 0;
  for (let i = Math.max(0, lag); i < source.length && i - lag < decoded.length; i++) {
    signal += source[i]! ** 2;
    noise += (source[i]! - decoded[i - lag]!) ** 2;
  }
  return { lag, snr: 10 * Math.log10(signal / noise) };
}

describe('decodeAudio: committed fixtures', () => {
  it('decodes FLAC, MP3 and Ogg Vorbis to 8 kHz mono with the right tags', async () => {
    for (const [name, encoding, bits] of [
      ['0_george_0.flac', 'flac', 16],
      ['0_george_0.mp3', 'mp3', undefined],
      ['0_george_0.ogg', 'vorbis', undefined],
    ] as const) {
      const out = await decodeAudio(fixture(name), where(name));
      expect(out, name).toMatchObject({
        sampleRate: 8000,
        channels: 1,
        encoding,
        truncated: false,
        decodeErrors: 0,
      });
      expect(out.bitsPerSample, name).toBe(bits);
      expect(out.samples).toHaveLength(1);
      expect(downmix(out.samples).length, name).toBe(out.samples[0]!.length);
    }
  });

  it('keeps both channels of a stereo FLAC apart (right is the negated left)', async () => {
    const out = await decodeAudio(fixture('0_george_0-stereo.flac'));
    expect(out.channels).toBe(2);
    const [left, right] = out.samples as [Float32Array, Float32Array];
    expect(left.length).toBe(2384);
    for (let i = 0; i < left.length; i++) {
      const negated = Math.min(32767, -Math.round(left[i]! * 32768)) / 32768;
      if (right[i] !== negated) expect(right[i], `frame ${i}`).toBe(negated);
    }
  });

  it('still decodes WAV, identically to decodeWav', async () => {
    const wav = encodeTestWav({
      sampleRate: 22_050,
      channels: [Float64Array.of(0, 0.5, -0.25), Float64Array.of(1, -1, 0)],
      encoding: 'float',
      bitsPerSample: 32,
    });
    const out = await decodeAudio(wav);
    const direct = decodeWav(wav);
    expect(out).toMatchObject({ sampleRate: 22_050, channels: 2, encoding: 'float', bitsPerSample: 32 });
    expect(out.samples).toEqual(direct.samples);
    await expectAudioError(decodeAudio(wav.subarray(0, 30), where('a.wav')), 'truncated-header', 'a.wav');
  });
});

describeWithData(['fsdd', 'recordings'], 'decodeAudio against the FSDD source recordings', () => {
  const source = (name: string) =>
    decodeWav(readFileSync(sharedDataPath('fsdd', 'recordings', name))).samples[0]!;

  it('FLAC is bit-exact', async () => {
    const wav = source('0_george_0.wav');
    const flac = await decodeAudio(fixture('0_george_0.flac'));
    expect(flac.samples[0]).toEqual(wav);
    const stereo = await decodeAudio(fixture('0_george_0-stereo.flac'));
    expect(stereo.samples[0]).toEqual(wav);
  });

  // Measured with the committed fixtures (LAME 3.100 -b 64 CBR, oggenc 1.4.2 -q 4, 8 kHz mono;
  // mpg123-decoder 1.0.3, ogg-vorbis 0.1.20): every clip decodes to exactly the source length at
  // lag 0; SNR george/jackson MP3 16.11/25.64 dB, Vorbis 23.86/26.87 dB. Thresholds sit just below.
  for (const [name, encoding, minSnr] of [
    ['0_george_0', 'mp3', 15.5],
    ['3_jackson_12', 'mp3', 25],
    ['0_george_0', 'vorbis', 23],
    ['3_jackson_12', 'vorbis', 26],
  ] as const) {
    it(`${encoding} ${name}: right rate and length, SNR > ${minSnr} dB after alignment`, async () => {
      const wav = source(`${name}.wav`);
      const out = await decodeAudio(fixture(`${name}.${encoding === 'mp3' ? 'mp3' : 'ogg'}`));
      expect(out.sampleRate).toBe(8000);
      expect(out.channels).toBe(1);
      const decoded = out.samples[0]!;
      // Gapless MP3 (LAME tag) and Vorbis (granule position) both trim to the source length; allow
      // one MP3 granule (576 samples at 8 kHz) of padding in case a decoder does not.
      expect(Math.abs(decoded.length - wav.length)).toBeLessThanOrEqual(576);
      const { lag, snr } = alignedSnr(wav, decoded, 2000);
      expect(Math.abs(lag)).toBeLessThanOrEqual(576);
      expect(snr).toBeGreaterThan(minSnr);
    });
  }
});

describe('decodeAudio: bad input becomes typed errors', () => {
  const flip = (bytes: Uint8Array, from: number, count: number) => {
    const copy = bytes.slice();
    for (let i = from; i < from + count; i++) copy[i]! ^= 0x5a;
    return copy;
  };

  it('unknown magic bytes, empty input, and AAC', async () => {
    const text = new TextEncoder().encode('digit,speaker\n0,jackson\n');
    const e = await expectAudioError(decodeAudio(text, where('a.csv')), 'unknown-format', 'a.csv');
    expect(e.found).toBe('"digit,sp"'); // at most 8 bytes of a file are quoted
    await expectAudioError(decodeAudio(new Uint8Array(0), where('x')), 'unknown-format', 'x');
    const adts = Uint8Array.of(0xff, 0xf1, 0x50, 0x80, 0, 0x1f, 0xfc);
    await expectAudioError(decodeAudio(adts, where('a.aac')), 'unsupported-encoding', 'a.aac');
  });

  it('FLAC: cut header, cut frames and flipped bytes', async () => {
    const flac = fixture('0_george_0.flac');
    await expectAudioError(decodeAudio(flac.subarray(0, 30), where('a.flac')), 'truncated-stream', 'a.flac');
    const half = await expectAudioError(
      decodeAudio(flac.subarray(0, flac.length >> 1), where('a.flac')),
      'corrupt-stream',
      'a.flac',
    );
    expect(half.expected).toBe('2384 samples');
    await expectAudioError(
      decodeAudio(flac.subarray(0, flac.length - 1), where('a.flac')),
      'corrupt-stream',
      'a.flac',
    );
    await expectAudioError(decodeAudio(flip(flac, 1500, 40), where('a.flac')), 'corrupt-stream', 'a.flac');
  });

  it('FLAC with no frames and a zero sample count is an empty clip', async () => {
    const flac = fixture('0_george_0.flac');
    let end = 4;
    for (let last = false; !last; ) {
      last = (flac[end]! & 0x80) !== 0;
      end += 4 + ((flac[end + 1]! << 16) | (flac[end + 2]! << 8) | flac[end + 3]!);
    }
    const empty = flac.slice(0, end);
    empty[21]! &= 0xf0; // total samples: 36 bits from the low nibble of byte 21
    empty.fill(0, 22, 26);
    await expectAudioError(decodeAudio(empty, where('e.flac')), 'empty-clip', 'e.flac');
  });

  it('MP3: a file shorter than its Info tag says is truncated', async () => {
    const mp3 = fixture('3_jackson_12.mp3');
    for (const cut of [60, mp3.length >> 1, mp3.length - 1]) {
      const e = await expectAudioError(
        decodeAudio(mp3.subarray(0, cut), where('a.mp3')),
        'truncated-stream',
        'a.mp3',
      );
      expect(e.expected).toBe(`${mp3.length} bytes of MPEG audio`);
    }
  });

  it('MP3: undecodable frames are counted in decodeErrors, not hidden', async () => {
    // A valid MPEG-1 layer III header followed by noise: mpg123 decodes what it can and reports the rest.
    let state = 1;
    const noise = Uint8Array.from({ length: 3000 }, () => {
      state = (state * 1103515245 + 12345) >>> 0;
      return state >>> 24;
    });
    noise.set([0xff, 0xfb, 0x50, 0xc4]);
    const out = await decodeAudio(noise, where('n.mp3'));
    expect(out.encoding).toBe('mp3');
    expect(out.decodeErrors).toBeGreaterThan(0);
    expect(out.samples[0]!.length).toBeGreaterThan(0);
  });

  it('MP3: a lone frame header is an empty clip', async () => {
    const header = Uint8Array.of(0xff, 0xfb, 0x50, 0xc4, 0, 0, 0, 0);
    await expectAudioError(decodeAudio(header, where('h.mp3')), 'empty-clip', 'h.mp3');
  });

  it('Ogg: cut pages, a missing end-of-stream page, flipped bytes, and Opus', async () => {
    const ogg = fixture('0_george_0.ogg');
    await expectAudioError(decodeAudio(ogg.subarray(0, 60), where('a.ogg')), 'truncated-stream', 'a.ogg');
    await expectAudioError(
      decodeAudio(ogg.subarray(0, ogg.length - 1), where('a.ogg')),
      'truncated-stream',
      'a.ogg',
    );
    // Cut exactly after the first page: every page is whole but none ends the stream.
    const firstPage = 27 + ogg[26]! + ogg.subarray(27, 27 + ogg[26]!).reduce((a, b) => a + b, 0);
    await expectAudioError(
      decodeAudio(ogg.subarray(0, firstPage), where('a.ogg')),
      'truncated-stream',
      'a.ogg',
    );
    // Flip bytes inside the page bodies only (page headers intact): libvorbis rejects the packets.
    await expectAudioError(decodeAudio(flip(ogg, 1400, 40), where('a.ogg')), 'corrupt-stream', 'a.ogg');
    const jackson = fixture('3_jackson_12.ogg');
    await expectAudioError(decodeAudio(flip(jackson, 1700, 40), where('b.ogg')), 'corrupt-stream', 'b.ogg');

    const opusHead = new TextEncoder().encode('OpusHead\x01\x01\x38\x01\x80\x3e\x00\x00\x00\x00\x00');
    const page = new Uint8Array(28 + opusHead.length);
    page.set(new TextEncoder().encode('OggS'));
    page[5] = 0x02 | 0x04; // beginning and end of stream
    page[26] = 1;
    page[27] = opusHead.length;
    page.set(opusHead, 28);
    const e = await expectAudioError(decodeAudio(page, where('a.opus')), 'unsupported-encoding', 'a.opus');
    expect(e.found).toBe('Opus');
  });

  it('NaN, inconsistent or empty decoder output is caught before it leaves', () => {
    const decoded = (channelData: Float32Array[], rate = 8000) => ({
      channelData,
      samplesDecoded: channelData[0]?.length ?? 0,
      sampleRate: rate,
      errors: [],
    });
    const rest = { encoding: 'mp3', decodeErrors: 0 } as const;
    const run =
      (d: ReturnType<typeof decoded>, channels = 1) =>
      () =>
        checkedAudio(d, channels, rest, where('f'));
    expect(run(decoded([Float32Array.of(0, Number.NaN)]))).toThrow(
      expect.objectContaining({ details: { problem: 'non-finite-sample', frame: 1, channel: 0 }, file: 'f' }),
    );
    expect(run(decoded([new Float32Array(0)]))).toThrow(
      expect.objectContaining({ details: { problem: 'empty-clip' } }),
    );
    expect(run(decoded([Float32Array.of(0)], 0))).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ problem: 'corrupt-stream' }) }),
    );
    expect(run(decoded([Float32Array.of(0), Float32Array.of(0, 1)]), 2)).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ problem: 'corrupt-stream' }) }),
    );
  });
});

describe('an MP3 through audio:cnn2d preprocess', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('decodes a file MediaRef into a [frames, mels, 1] spectrogram', async () => {
    const encoder = createCnn2dEncoder({
      preprocess: {
        sampleRate: 16_000, // resampled up from the MP3's 8 kHz
        duration: 0.5,
        features: { kind: 'logmel', nFft: 256, hopLength: 64, nMels: 32 },
      },
      baseFilters: 4,
      extraBlocks: 2,
    });
    const readMedia = async (ref: MediaRef) =>
      ref.kind === 'file' ? fixture(ref.relativePath) : new Uint8Array();
    const state = await encoder.fit([], { field: 'audio', readMedia });
    const ref: MediaRef = {
      kind: 'file',
      path: `${FIXTURES}3_jackson_12.mp3`,
      relativePath: '3_jackson_12.mp3',
    };
    const feature = await encoder.preprocess(ref, state, { record: 1, field: 'audio', readMedia });
    expect(feature.shape).toEqual(state.featureSpec.shape);
    expect(feature.shape).toEqual([126, 32, 1]);
    expect(feature.data).toHaveLength(126 * 32);
    expect(Array.from(feature.data as Float32Array).every(Number.isFinite)).toBe(true);

    const cut = { ...ref, relativePath: 'cut.mp3' };
    const error = await Promise.resolve(
      encoder.preprocess(cut, state, {
        record: 1,
        field: 'audio',
        readMedia: async () => fixture('3_jackson_12.mp3').subarray(0, 500),
      }),
    ).catch((e: unknown) => e as OmnifuseError);
    expect(error).toMatchObject({
      record: 1,
      field: 'audio',
      file: 'cut.mp3',
      details: { problem: 'truncated-stream' },
    });
  });
});
