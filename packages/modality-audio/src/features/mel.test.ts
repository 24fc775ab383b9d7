import { describe, expect, it } from 'vitest';
import { createMelFilterBank, hzToMel, melToHz } from './mel.js';

describe('mel scales', () => {
  it('round-trips and matches known points', () => {
    for (const scale of ['slaney', 'htk'] as const) {
      for (const hz of [0, 300, 1000, 2500, 7999])
        expect(melToHz(hzToMel(hz, scale), scale)).toBeCloseTo(hz, 8);
    }
    expect(hzToMel(1000, 'slaney')).toBeCloseTo(15, 12);
    expect(hzToMel(1000, 'htk')).toBeCloseTo(999.9855, 3);
  });
});

describe('createMelFilterBank', () => {
  const sampleRate = 8000;
  const nFft = 512;

  it('unnormalised triangles sum to one between the first and last centres', () => {
    for (const scale of ['slaney', 'htk'] as const) {
      const bank = createMelFilterBank({ sampleRate, nFft, nMels: 20, scale, norm: 'none' });
      const firstCentre = melToHz(hzToMel(0, scale) + hzToMel(4000, scale) / 21, scale);
      const lastCentre = melToHz((hzToMel(4000, scale) * 20) / 21, scale);
      for (let k = 0; k < bank.bins; k++) {
        const hz = (k * sampleRate) / nFft;
        if (hz < firstCentre || hz > lastCentre) continue;
        let sum = 0;
        for (let m = 0; m < bank.nMels; m++) sum += bank.weights[m * bank.bins + k];
        expect(sum).toBeCloseTo(1, 5);
      }
      for (let m = 0; m < bank.nMels; m++) {
        for (let k = 0; k < bank.bins; k++) {
          const inside = k >= bank.start[m] && k < bank.end[m];
          if (!inside) expect(bank.weights[m * bank.bins + k]).toBe(0);
        }
      }
    }
  });

  it('slaney normalisation gives each triangle unit area in Hz (peak 2 / width)', () => {
    const bank = createMelFilterBank({ sampleRate, nFft: 4096, nMels: 10 });
    const binHz = sampleRate / 4096;
    for (let m = 0; m < bank.nMels; m++) {
      let area = 0;
      for (let k = bank.start[m]; k < bank.end[m]; k++) area += bank.weights[m * bank.bins + k] * binHz;
      expect(area).toBeCloseTo(1, 2);
    }
  });

  it('applies sparsely the same as a dense product', () => {
    const bank = createMelFilterBank({ sampleRate, nFft, nMels: 30, fMin: 100, fMax: 3800 });
    const spectrum = Float32Array.from({ length: 2 * bank.bins }, (_, i) => (i % 17) + 0.5);
    const out = bank.apply(spectrum, 2);
    for (let t = 0; t < 2; t++) {
      for (let m = 0; m < bank.nMels; m++) {
        let dense = 0;
        for (let k = 0; k < bank.bins; k++)
          dense += bank.weights[m * bank.bins + k] * spectrum[t * bank.bins + k];
        expect(out[t * bank.nMels + m]).toBeCloseTo(dense, 6);
      }
    }
  });

  it('rejects a band outside the Nyquist range', () => {
    expect(() => createMelFilterBank({ sampleRate, nFft, nMels: 10, fMax: 5000 })).toThrow(/mel band/);
  });
});
