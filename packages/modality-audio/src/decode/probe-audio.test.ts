import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ErrorCode, OmnifuseError } from '@omnifuse/core';
import { describeWithData, sharedDataPath } from '@omnifuse/test-utils';
import {
  flacConstantBomb,
  flacDeclaringHours,
  floatWavWithNaN,
  oggOpusDeclaringHours,
  stereoPcm24Wav,
  wavWithOversizedDataChunk,
  wavWithTruncatedHeader,
  wavWithZeroSamples,
  withOggFinalGranule,
} from '@omnifuse/test-utils/audio-corpus';
import { describe, expect, it } from 'vitest';
import { decodeAudio } from './decode-audio.js';
import { decodeWav } from './decode-wav.js';
import { mpegFrameInfo } from './mp3-header.js';
import { probeAudio } from './probe-audio.js';
import { type MpegHeader, mpegHeaderAt, sniffContainer } from './sniff-container.js';
import { encodeTestWav } from './test-wav.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/compressed/', import.meta.url));
const fixture = (name: string) => new Uint8Array(readFileSync(FIXTURES + name));

function probeError(bytes: Uint8Array): OmnifuseError {
  try {
    probeAudio(bytes, { record: 'r1', field: 'audio', file: 'x' });
  } catch (error) {
    expect(OmnifuseError.isInstance(error), String(error)).toBe(true);
    const e = error as OmnifuseError;
    expect(e.code).toBe(ErrorCode.InvalidInput);
    expect(e).toMatchObject({ record: 'r1', field: 'audio', file: 'x' });
    return e;
  }
  throw new Error('expected probeAudio to throw');
}

describe('probeAudio agrees with the full decode on real clips', () => {
  for (const name of readdirSync(FIXTURES).sort()) {
    it(name, async () => {
      const bytes = fixture(name);
      const probe = probeAudio(bytes);
      const decoded = await decodeAudio(bytes);
      expect(probe).toMatchObject({
        sampleRate: decoded.sampleRate,
        channels: decoded.channels,
        frames: decoded.samples[0]!.length,
        exact: true,
        truncated: false,
      });
      expect(probe.durationSeconds).toBeCloseTo(decoded.samples[0]!.length / decoded.sampleRate, 9);
      expect(probe.format).toBe(name.endsWith('.mp3') ? 'mp3' : name.endsWith('.ogg') ? 'ogg' : 'flac');
      expect(probe.encoding).toBe(decoded.encoding);
      expect(probe.bitsPerSample).toBe(decoded.bitsPerSample);
    });
  }

  it('WAV: the corpus stereo 24-bit clip and every test-wav encoding', () => {
    const wav = stereoPcm24Wav();
    expect(probeAudio(wav)).toEqual({
      format: 'wav',
      sampleRate: 44_100,
      channels: 2,
      frames: 11_025,
      durationSeconds: 0.25,
      exact: true,
      encoding: 'pcm',
      bitsPerSample: 24,
      declaredFrames: 11_025,
      availableFrames: 11_025,
      truncated: false,
    });
    expect(decodeWav(wav).samples[1]!.length).toBe(11_025);
    for (const [encoding, bits] of [
      ['pcm', 8],
      ['pcm', 16],
      ['float', 64],
    ] as const) {
      const channels = [Float64Array.from({ length: 333 }, (_, i) => Math.sin(i / 9) / 2)];
      const clip = encodeTestWav({
        sampleRate: 11_025,
        channels,
        encoding,
        bitsPerSample: bits,
        dataFirst: true,
      });
      expect(probeAudio(clip)).toMatchObject({
        frames: decodeWav(clip).samples[0]!.length,
        encoding,
        bitsPerSample: bits,
      });
    }
  });
});

describeWithData(['fsdd', 'recordings'], 'probeAudio on FSDD recordings', () => {
  it('gives the decoded length of every 50th recording', () => {
    const dir = sharedDataPath('fsdd', 'recordings');
    const names = readdirSync(dir)
      .filter((n) => n.endsWith('.wav'))
      .sort()
      .filter((_, i) => i % 50 === 0);
    expect(names.length).toBe(50);
    for (const name of names) {
      const bytes = new Uint8Array(readFileSync(`${dir}/${name}`));
      expect(probeAudio(bytes).frames, name).toBe(decodeWav(bytes).samples[0]!.length);
    }
  });
});

describe('probeAudio: what the header says about broken and lying files', () => {
  it('a WAV whose data chunk declares more than the file holds reports both counts', () => {
    const probe = probeAudio(wavWithOversizedDataChunk());
    expect(probe).toMatchObject({
      frames: 800,
      declaredFrames: 2 ** 29,
      availableFrames: 800,
      truncated: true,
    });
    expect(decodeWav(wavWithOversizedDataChunk())).toMatchObject({ truncated: true });
  });

  it('a WAV with zero samples is frames 0, not an error', () => {
    expect(probeAudio(wavWithZeroSamples())).toMatchObject({
      frames: 0,
      durationSeconds: 0,
      truncated: false,
    });
  });

  it('a float WAV is probed without reading its samples (NaN included)', () => {
    expect(probeAudio(floatWavWithNaN())).toMatchObject({
      encoding: 'float',
      bitsPerSample: 32,
      frames: 400,
    });
  });

  it('a truncated WAV header, unknown bytes and AAC throw typed errors that quote at most 8 bytes', () => {
    expect(probeError(wavWithTruncatedHeader()).details?.problem).toBe('truncated-header');
    const text = probeError(new TextEncoder().encode('digit,speaker\n0,jackson\n'));
    expect(text.details?.problem).toBe('unknown-format');
    expect(text.found).toBe('"digit,sp"');
    const binary = probeError(Uint8Array.of(0, 1, 0x5c, 0x7f, 65, 66, 67, 68, 69, 70));
    expect(binary.found).toBe('"\\x00\\x01\\x5c\\x7fABCD"');
    expect(probeError(new Uint8Array(2)).found).toBe('2 bytes');
    const adts = Uint8Array.of(0xff, 0xf1, 0x50, 0x80, 0, 0x1f, 0xfc);
    expect(probeError(adts).details?.problem).toBe('unsupported-encoding');
  });

  it('FLAC: hours declared in STREAMINFO; total 0 means unknown; a cut header throws', () => {
    expect(probeAudio(flacDeclaringHours(4))).toMatchObject({
      format: 'flac',
      frames: 4 * 3600 * 8000,
      durationSeconds: 4 * 3600,
      exact: true,
    });
    const unknown = probeAudio(flacConstantBomb({ declareTotal: false }));
    expect(unknown).toMatchObject({ format: 'flac', sampleRate: 8000, channels: 1, exact: false });
    expect(unknown.frames).toBeUndefined();
    expect(unknown.durationSeconds).toBeUndefined();
    expect(probeError(fixture('0_george_0.flac').subarray(0, 30)).details?.problem).toBe('truncated-stream');
  });

  it('Ogg: the last granule, rewritten to hours, is read from the end of the file', () => {
    const ogg = fixture('0_george_0.ogg');
    const long = withOggFinalGranule(ogg, 2 * 3600 * 8000);
    expect(long.length).toBe(ogg.length);
    expect(probeAudio(long)).toMatchObject({
      frames: 2 * 3600 * 8000,
      durationSeconds: 7200,
      truncated: false,
    });
  });

  it('Ogg: a stream cut short or without its end-of-stream page is truncated', () => {
    const ogg = fixture('3_jackson_12.ogg');
    const cut = probeAudio(ogg.subarray(0, ogg.length - 100));
    expect(cut).toMatchObject({ truncated: true, exact: false });
    expect(cut.frames).toBeUndefined();
    const firstPage = 27 + ogg[26]! + ogg.subarray(27, 27 + ogg[26]!).reduce((a, b) => a + b, 0);
    expect(probeAudio(ogg.subarray(0, firstPage))).toMatchObject({ truncated: true, frames: 0 });
    expect(probeError(ogg.subarray(0, 20)).details?.problem).toBe('truncated-stream');
  });

  it('Ogg Opus: OpusHead at 48 kHz, less its pre-skip', () => {
    expect(probeAudio(oggOpusDeclaringHours(3))).toEqual({
      format: 'ogg',
      sampleRate: 48_000,
      channels: 2,
      frames: 3 * 3600 * 48_000,
      durationSeconds: 3 * 3600,
      exact: true,
      encoding: 'opus',
      truncated: false,
    });
  });

  it('MP3 without its Info frame is estimated from the bitrate, close to the decoded length', async () => {
    const mp3 = fixture('3_jackson_12.mp3');
    const container = sniffContainer(mp3);
    if (container.kind !== 'mp3') throw new Error('not an MP3');
    const header = mpegHeaderAt(mp3, container.start) as MpegHeader;
    const info = mpegFrameInfo(mp3, container.start, header);
    expect(info).toMatchObject({ sampleRate: 8000, bitrate: 64_000, samplesPerFrame: 576 });
    const untagged = mp3.slice(container.start + info.frameBytes);
    const probe = probeAudio(untagged);
    expect(probe).toMatchObject({ format: 'mp3', exact: false, truncated: false, channels: 1 });
    const decoded = (await decodeAudio(untagged)).samples[0]!.length;
    // Without the LAME tag nothing says how much delay and padding to trim: within two frames.
    expect(Math.abs(probe.frames! - decoded)).toBeLessThanOrEqual(2 * 576);
  });

  it('MP3 shorter than its Info tag says is truncated', () => {
    const mp3 = fixture('0_george_0.mp3');
    expect(probeAudio(mp3.subarray(0, mp3.length - 10))).toMatchObject({ truncated: true, exact: true });
  });
});
