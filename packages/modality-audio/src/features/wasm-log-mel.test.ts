import { readFileSync } from 'node:fs';
import { describeWithData, sharedDataPath } from '@omnifuse/test-utils';
import { describe, expect, it } from 'vitest';
import { decodeWav } from '../decode/decode-wav.js';
import { dctMatrix } from './dct.js';
import { createFeatureExtractor } from './feature-extractor.js';
import { createPowerFft } from './fft.js';
import { createFusedLogMel, type FusedLogMelOptions } from './fused.js';
import { LOG_MEL_WASM_BASE64 } from './log-mel-wasm.generated.js';
import { createMelFilterBank } from './mel.js';
import { wasmLogMelAvailable } from './wasm-log-mel.js';
import { createWindow } from './window.js';

interface Setup {
  nFft: number;
  hop: number;
  nMels: number;
  nMfcc?: number;
  sampleRate?: number;
  pad?: 'reflect' | 'constant' | 'none';
}

function kernels(setup: Setup) {
  const { nFft, hop, nMels, nMfcc, sampleRate = 8000, pad = 'reflect' } = setup;
  const options: Omit<FusedLogMelOptions, 'engine'> = {
    fft: createPowerFft(nFft),
    window: createWindow('hann', nFft),
    hopLength: hop,
    pad: pad === 'none' ? 0 : nFft >> 1,
    padMode: pad === 'constant' ? 'constant' : 'reflect',
    melBank: createMelFilterBank({ sampleRate, nFft, nMels }),
    ref: 1,
    amin: 1e-10,
    topDb: 80,
    ...(nMfcc ? { dct: dctMatrix(nMels, nMfcc), nMfcc } : {}),
  };
  return {
    js: createFusedLogMel({ ...options, engine: 'js' }),
    wasm: createFusedLogMel({ ...options, engine: 'wasm' }),
    frames: (length: number) => {
      const padded = pad === 'none' ? length : length + 2 * (nFft >> 1);
      return padded < nFft ? 0 : 1 + Math.floor((padded - nFft) / hop);
    },
  };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/** A deterministic test signal: two chirps and a little noise-like detail. */
function signal(length: number, seed = 1): Float64Array {
  const out = new Float64Array(length);
  let s = seed;
  for (let i = 0; i < length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = 0.5 * Math.sin(0.0004 * i * i) + 0.2 * Math.sin(0.3 * i) + 0.05 * (s / 2147483648 - 0.5);
  }
  return out;
}

describe('WebAssembly SIMD log-mel kernel', () => {
  it('is available in Node 20 (the default engine uses it)', () => {
    expect(wasmLogMelAvailable()).toBe(true);
  });

  // Every first-stage variant of the radix-4 FFT (m = 1, 2, 4, 8, 128, 256), odd and even frame
  // counts (the kernel pairs frames per SIMD vector), both paddings and an odd nMels for the fold.
  const setups: Setup[] = [
    { nFft: 2, hop: 1, nMels: 1, sampleRate: 100 },
    { nFft: 4, hop: 2, nMels: 2, sampleRate: 400 },
    { nFft: 8, hop: 3, nMels: 3, nMfcc: 3, sampleRate: 800 },
    { nFft: 16, hop: 5, nMels: 5, nMfcc: 4, pad: 'constant' },
    { nFft: 256, hop: 64, nMels: 40, nMfcc: 13 },
    { nFft: 256, hop: 80, nMels: 41, nMfcc: 20, pad: 'none' },
    { nFft: 512, hop: 128, nMels: 64, nMfcc: 13, sampleRate: 16000 },
  ];
  for (const setup of setups) {
    it(`matches the JS kernel: nFft ${setup.nFft}, hop ${setup.hop}, ${setup.nMels} mels${setup.nMfcc ? `, ${setup.nMfcc} MFCC` : ''}, pad ${setup.pad ?? 'reflect'}`, () => {
      const { js, wasm, frames } = kernels(setup);
      for (const length of [setup.nFft + 1, 3 * setup.nFft + 7, 40 * setup.hop + setup.nFft]) {
        const x = signal(length, length);
        const t = frames(length);
        const a = js(x, t);
        const b = wasm(x, t);
        expect(b.length).toBe(t * (setup.nMfcc ?? setup.nMels));
        // Same float64 formula in the same order; only the logarithm's last bits may differ.
        expect(maxAbsDiff(a, b)).toBeLessThan(1e-9);
        expect(b.every(Number.isFinite)).toBe(true);
      }
    });
  }

  it('keeps its tables when a long clip grows its memory between short ones', () => {
    const { wasm } = kernels({ nFft: 256, hop: 64, nMels: 40, nMfcc: 13 });
    const short = signal(2000, 3);
    const long = signal(16000 * 30, 4); // 30 s: several more wasm pages
    const first = Float64Array.from(wasm(short, 1 + Math.floor(2000 / 64)));
    const longOut = wasm(long, 1 + Math.floor((16000 * 30) / 64));
    expect(longOut.every(Number.isFinite)).toBe(true);
    expect(Array.from(wasm(short, 1 + Math.floor(2000 / 64)))).toEqual(Array.from(first));
  });

  it('refuses engine "wasm" where the fused kernel cannot run (nFft not a power of two)', () => {
    expect(() =>
      createFeatureExtractor({ sampleRate: 8000, nFft: 200, kind: 'logmel', engine: 'wasm' }),
    ).toThrowError(expect.objectContaining({ code: 'E_OPTIONS', field: 'engine' }));
    expect(createFeatureExtractor({ sampleRate: 8000, nFft: 200, kind: 'logmel', engine: 'auto' }).dims).toBe(
      40,
    );
  });

  it('is the module wasm/log-mel.ts compiles to (run `npm run build:wasm` after editing it)', async () => {
    // @ts-expect-error: a plain .mjs build script without types
    const { compileLogMelWasm } = await import('../../scripts/build-wasm.mjs');
    const fresh: Uint8Array = await compileLogMelWasm();
    expect(Buffer.from(fresh).toString('base64')).toBe(LOG_MEL_WASM_BASE64);
  }, 60_000);
});

describeWithData(['fsdd', 'recordings'], 'wasm and JS engines on FSDD recordings', () => {
  for (const clip of ['0_george_0', '9_yweweler_49']) {
    it(`${clip}: log-mel and MFCC agree through the extractor`, () => {
      const wav = decodeWav(readFileSync(sharedDataPath('fsdd', 'recordings', `${clip}.wav`)));
      const samples = wav.samples[0];
      for (const kind of ['logmel', 'mfcc'] as const) {
        const config = { sampleRate: 8000, nFft: 256, hopLength: 64, nMels: 40, kind };
        const js = createFeatureExtractor({ ...config, engine: 'js' }).extract(samples);
        const wasm = createFeatureExtractor({ ...config, engine: 'wasm' }).extract(samples);
        expect(wasm.frames).toBe(js.frames);
        // float32 outputs: at most one rounding step apart.
        expect(maxAbsDiff(js.data, wasm.data)).toBeLessThan(1e-4);
      }
    });
  }
});
