import { describe, expect, it } from 'vitest';
import { createStft, padSignal } from './stft.js';
import { createWindow } from './window.js';

describe('createWindow', () => {
  it('is periodic, as scipy get_window(fftbins=True)', () => {
    const round = (w: Float64Array) => Array.from(w, (v) => Number(v.toFixed(12)));
    expect(round(createWindow('hann', 4))).toEqual([0, 0.5, 1, 0.5]);
    expect(round(createWindow('hamming', 4))).toEqual([0.08, 0.54, 1, 0.54]);
  });
});

describe('padSignal', () => {
  it('reflects like numpy.pad mode=reflect, also past the signal length', () => {
    expect(Array.from(padSignal(Float64Array.from([1, 2, 3]), 2, 'reflect'))).toEqual([3, 2, 1, 2, 3, 2, 1]);
    expect(Array.from(padSignal(Float64Array.from([1, 2, 3]), 4, 'reflect'))).toEqual([
      1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3,
    ]);
    expect(Array.from(padSignal(Float64Array.from([1, 2]), 1, 'constant'))).toEqual([0, 1, 2, 0]);
  });
});

describe('createStft', () => {
  it('counts frames as librosa does', () => {
    const centred = createStft({ nFft: 256, hopLength: 64 });
    expect(centred.frames(4000)).toBe(1 + Math.floor(4000 / 64));
    const plain = createStft({ nFft: 256, hopLength: 64, center: false });
    expect(plain.frames(4000)).toBe(1 + Math.floor((4000 - 256) / 64));
    expect(plain.frames(100)).toBe(0);
    expect(() => plain.spectrogram(new Float32Array(100))).toThrow(/shorter than one frame/);
  });

  it("finds a pure sine's peak bin in every frame, and magnitude is the root of power", () => {
    const sampleRate = 8000;
    const nFft = 256;
    const hz = (40 * sampleRate) / nFft; // exactly bin 40
    const x = Float32Array.from({ length: 2000 }, (_, t) => Math.sin((2 * Math.PI * hz * t) / sampleRate));
    const stft = createStft({ nFft, hopLength: 128 });
    const power = stft.spectrogram(x, 'power');
    const magnitude = stft.spectrogram(x, 'magnitude');
    const frames = power.length / stft.bins;
    for (let t = 1; t < frames - 1; t++) {
      const row = power.subarray(t * stft.bins, (t + 1) * stft.bins);
      expect(row.indexOf(Math.max(...row))).toBe(40);
      expect(magnitude[t * stft.bins + 40]).toBeCloseTo(Math.sqrt(row[40]), 2);
    }
  });

  it('zero-pads a shorter window to nFft, centred', () => {
    const stft = createStft({ nFft: 512, frameLength: 400, hopLength: 160 });
    expect(stft.bins).toBe(257);
    expect(() => createStft({ nFft: 256, frameLength: 300, hopLength: 64 })).toThrow(/frameLength/);
    expect(() => createStft({ nFft: 256, hopLength: 0 })).toThrow(/hopLength/);
  });
});
