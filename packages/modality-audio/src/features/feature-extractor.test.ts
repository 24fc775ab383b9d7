import { OmnifuseError } from '@omnifuse/core';
import { describe, expect, it } from 'vitest';
import { createFeatureExtractor } from './feature-extractor.js';

const tone = Float32Array.from({ length: 4000 }, (_, t) => 0.5 * Math.sin((2 * Math.PI * 440 * t) / 8000));

describe('createFeatureExtractor', () => {
  it('reports dims and frames that extract produces', () => {
    const cases = [
      [{ kind: 'power' }, 257],
      [{ kind: 'magnitude' }, 257],
      [{ kind: 'logmel' }, 40],
      [{ kind: 'mfcc' }, 13],
      [{ kind: 'mfcc', deltas: 2, cmvn: true }, 39],
      [{ kind: 'logmel', nMels: 64, deltas: 1 }, 128],
    ] as const;
    for (const [options, dims] of cases) {
      const extractor = createFeatureExtractor({ sampleRate: 8000, ...options });
      const out = extractor.extract(tone);
      expect(extractor.dims).toBe(dims);
      expect(out.dims).toBe(dims);
      expect(out.frames).toBe(extractor.frames(tone.length));
      expect(out.data.length).toBe(out.frames * dims);
      expect(out.data.every(Number.isFinite)).toBe(true);
    }
  });

  it('defaults hopLength to frameLength / 4 and is deterministic', () => {
    const extractor = createFeatureExtractor({ sampleRate: 8000, kind: 'mfcc', nFft: 256 });
    expect(extractor.config.hopLength).toBe(64);
    expect(extractor.extract(tone).data).toEqual(extractor.extract(tone).data);
  });

  it('works with a non-power-of-two nFft through the direct DFT', () => {
    const extractor = createFeatureExtractor({ sampleRate: 8000, kind: 'power', nFft: 200, hopLength: 80 });
    const out = extractor.extract(tone);
    expect(out.dims).toBe(101);
    const row = out.data.subarray(10 * 101, 11 * 101);
    expect(row.indexOf(Math.max(...row))).toBe(11); // 440 Hz at 40 Hz per bin
  });

  it('turns bad options and inputs into OmnifuseErrors', () => {
    const bad = [
      { sampleRate: 8000, kind: 'chroma' },
      { sampleRate: 8000, nFft: 256, frameLength: 512 },
      { sampleRate: 8000, fMax: 6000 },
      { sampleRate: 8000, kind: 'mfcc', nMels: 10, nMfcc: 13 },
      { sampleRate: 8000, deltaWidth: 4 },
      { sampleRate: 8000, unknown: 1 },
    ];
    for (const options of bad) {
      // biome-ignore lint/suspicious/noExplicitAny: deliberately invalid options
      expect(() => createFeatureExtractor(options as any), JSON.stringify(options)).toThrow(OmnifuseError);
    }
    const extractor = createFeatureExtractor({ sampleRate: 8000, center: false });
    expect(() => extractor.extract(new Float32Array(10))).toThrow(OmnifuseError);
  });
});
