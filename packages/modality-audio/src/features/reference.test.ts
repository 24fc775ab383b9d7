import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describeWithData, sharedDataPath } from '@omnifuse/test-utils';
import { expect, it } from 'vitest';
import { createFeatureExtractor, type FeatureExtractorOptions } from './feature-extractor.js';

// Fixtures from scripts/features-reference.py (numpy/scipy following librosa's formulas).
const FIXTURES = path.resolve(import.meta.dirname, '../../test/fixtures');
const CLIPS = ['0_george_0', '3_jackson_12', '7_theo_3'];

interface Fixture {
  clip: string;
  samples: number;
  frames: number;
  powerFrameSums: number[];
  mfcc: number[];
  mfccDeltasCmvn: number[];
  powerFirst20?: number[];
  logmel?: number[];
  logmelHtk?: number[];
  mfccDeltas?: number[];
}

/** Mono 16-bit PCM WAV samples scaled to [-1, 1); just enough RIFF parsing for FSDD. */
function readPcm16(file: string): Float32Array {
  const bytes = readFileSync(file);
  if (bytes.toString('ascii', 0, 4) !== 'RIFF' || bytes.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error(`${file}: not a RIFF/WAVE file`);
  }
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const id = bytes.toString('ascii', offset, offset + 4);
    const size = bytes.readUInt32LE(offset + 4);
    if (id === 'data') {
      const count = Math.floor(Math.min(size, bytes.length - offset - 8) / 2);
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = bytes.readInt16LE(offset + 8 + 2 * i) / 32768;
      return out;
    }
    offset += 8 + size + (size & 1);
  }
  throw new Error(`${file}: no data chunk`);
}

const base: FeatureExtractorOptions = { sampleRate: 8000, nFft: 256, hopLength: 64, nMels: 40, nMfcc: 13 };

function maxAbsError(actual: ArrayLike<number>, expected: number[]): number {
  expect(actual.length).toBe(expected.length);
  let max = 0;
  for (let i = 0; i < expected.length; i++) max = Math.max(max, Math.abs(actual[i] - expected[i]));
  return max;
}

describeWithData('fsdd/recordings', 'audio features against the numpy reference (FSDD)', () => {
  const cases = CLIPS.map((clip) => ({
    fixture: JSON.parse(readFileSync(path.join(FIXTURES, `features-${clip}.json`), 'utf8')) as Fixture,
    samples: readPcm16(sharedDataPath('fsdd/recordings', `${clip}.wav`)),
  }));
  const power = createFeatureExtractor({ ...base, kind: 'power' });
  const mfcc = createFeatureExtractor({ ...base, kind: 'mfcc' });

  it.each(cases)('power spectrum of $fixture.clip', ({ fixture, samples }) => {
    expect(samples.length).toBe(fixture.samples);
    const out = power.extract(samples);
    expect(out.frames).toBe(fixture.frames);
    expect(power.frames(samples.length)).toBe(fixture.frames);
    expect(out.dims).toBe(129);
    for (let t = 0; t < out.frames; t++) {
      let sum = 0;
      for (let k = 0; k < out.dims; k++) sum += out.data[t * out.dims + k];
      expect(Math.abs(sum - fixture.powerFrameSums[t])).toBeLessThanOrEqual(
        1e-4 * fixture.powerFrameSums[t] + 1e-12,
      );
    }
    if (fixture.powerFirst20) {
      // Relative 1e-4 per bin, with a floor of 1e-7 of the frame's peak for bins near numerical zero.
      for (let t = 0; t < 20; t++) {
        const row = fixture.powerFirst20.slice(t * 129, (t + 1) * 129);
        const peak = Math.max(...row);
        for (let k = 0; k < 129; k++) {
          const err = Math.abs(out.data[t * 129 + k] - row[k]);
          expect(err).toBeLessThanOrEqual(1e-4 * row[k] + 1e-7 * peak);
        }
      }
    }
  });

  it.each(cases)('MFCC of $fixture.clip', ({ fixture, samples }) => {
    expect(maxAbsError(mfcc.extract(samples).data, fixture.mfcc)).toBeLessThan(1e-3);
  });

  it.each(cases)('MFCC + deltas + CMVN of $fixture.clip', ({ fixture, samples }) => {
    const extractor = createFeatureExtractor({ ...base, kind: 'mfcc', deltas: 2, cmvn: true });
    const out = extractor.extract(samples);
    expect(out.dims).toBe(39);
    expect(maxAbsError(out.data, fixture.mfccDeltasCmvn)).toBeLessThan(1e-3);
  });

  it('log-mel (slaney and htk) and MFCC deltas of the detailed clip', () => {
    const { fixture, samples } = cases[0];
    const slaney = createFeatureExtractor({ ...base, kind: 'logmel' }).extract(samples);
    expect(slaney.dims).toBe(40);
    expect(maxAbsError(slaney.data, fixture.logmel!)).toBeLessThan(1e-3);
    const htk = createFeatureExtractor({ ...base, kind: 'logmel', melScale: 'htk' }).extract(samples);
    expect(maxAbsError(htk.data, fixture.logmelHtk!)).toBeLessThan(1e-3);
    const withDeltas = createFeatureExtractor({ ...base, kind: 'mfcc', deltas: 2 }).extract(samples);
    expect(maxAbsError(withDeltas.data, fixture.mfccDeltas!)).toBeLessThan(1e-3);
  });
});
