import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeWav } from '@omnifuse/modality-audio';
import { idxImages, idxLabels, readIdxFile } from '@omnifuse/modality-vision';
import { describeWithData, sharedDataPath } from '@omnifuse/test-utils';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script without type declarations
import { buildAvMnist, CLIP_INDICES, parseClipName, reconstruct } from './build-dataset.mjs';

interface Row {
  id: string;
  image: string;
  audio: string;
  label: string;
  split: 'train' | 'validation' | 'test';
  mnist: string;
  clip: string;
  gain: number;
}

const SNR = -10;
const sizes = { train: 40, validation: 10, test: 20 };

describeWithData(['mnist'], 'AV-MNIST builder on real MNIST', () => {
  describeWithData(['fsdd', 'recordings'], 'and real FSDD', () => {
    let out: string;
    let again: string;
    let summary: { explainedVariance: number };
    let rows: Row[];
    let mnist: Record<'train' | 't10k', { images: Uint8Array[]; labels: number[] }>;

    const readMnist = async (set: 'train' | 't10k') => {
      const dir = sharedDataPath('mnist');
      const images = idxImages(await readIdxFile(path.join(dir, `${set}-images-idx3-ubyte.gz`)));
      const labels = idxLabels(await readIdxFile(path.join(dir, `${set}-labels-idx1-ubyte.gz`)));
      return { images: images.map((image) => image.data), labels };
    };
    const source = (row: Row) => {
      const [set, index] = row.mnist.split(':') as ['train' | 't10k', string];
      return { image: mnist[set].images[Number(index)]!, label: mnist[set].labels[Number(index)]! };
    };

    beforeAll(async () => {
      out = mkdtempSync(path.join(os.tmpdir(), 'av-mnist-test-'));
      again = mkdtempSync(path.join(os.tmpdir(), 'av-mnist-test-'));
      const options = { ...sizes, pcaSamples: 5000, snr: SNR, seed: 3 };
      summary = await buildAvMnist({ ...options, out });
      await buildAvMnist({ ...options, out: again });
      rows = readFileSync(path.join(out, 'manifest.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Row);
      mnist = { train: await readMnist('train'), t10k: await readMnist('t10k') };
    });
    afterAll(() => {
      rmSync(out, { recursive: true, force: true });
      rmSync(again, { recursive: true, force: true });
    });

    it('writes one manifest row per pair with relative paths', () => {
      for (const split of ['train', 'validation', 'test'] as const) {
        expect(rows.filter((r) => r.split === split)).toHaveLength(sizes[split]);
      }
      expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
      for (const row of rows) {
        expect(path.isAbsolute(row.image) || path.isAbsolute(row.audio)).toBe(false);
        expect(existsSync(path.join(out, row.image)) && existsSync(path.join(out, row.audio))).toBe(true);
      }
    });

    it('writes 28×28 grey PNGs and 8 kHz mono 16-bit WAVs that decode', async () => {
      for (const row of rows) {
        const meta = await sharp(path.join(out, row.image)).metadata();
        expect([meta.format, meta.width, meta.height, meta.channels]).toEqual(['png', 28, 28, 1]);
        const wav = decodeWav(readFileSync(path.join(out, row.audio)));
        expect([wav.sampleRate, wav.channels, wav.format.bitsPerSample]).toEqual([8000, 1, 16]);
        expect(wav.samples[0]!.length).toBeGreaterThan(800);
      }
    });

    it('pairs every image with a clip of the same digit', () => {
      for (const row of rows) {
        expect(parseClipName(row.clip).digit).toBe(Number(row.label));
        expect(source(row).label).toBe(Number(row.label));
      }
    });

    it('keeps the splits apart: test clips index 0–4 and t10k images; no image twice', () => {
      for (const row of rows) {
        const [lo, hi] = CLIP_INDICES[row.split];
        const { index } = parseClipName(row.clip);
        expect(index).toBeGreaterThanOrEqual(lo);
        expect(index).toBeLessThanOrEqual(hi);
        expect(row.mnist.startsWith(row.split === 'test' ? 't10k:' : 'train:')).toBe(true);
        if (row.split === 'test') expect(index).toBeLessThanOrEqual(4);
        else expect(index).toBeGreaterThanOrEqual(5);
      }
      expect(new Set(rows.map((r) => r.mnist)).size).toBe(rows.length);
    });

    it('mixes white noise at the target SNR (±0.5 dB)', () => {
      for (const row of rows) {
        const clean = decodeWav(readFileSync(sharedDataPath('fsdd', 'recordings', row.clip))).samples[0]!;
        const mixed = decodeWav(readFileSync(path.join(out, row.audio))).samples[0]!;
        expect(mixed.length).toBe(clean.length);
        let signal = 0;
        let noise = 0;
        for (let i = 0; i < clean.length; i++) {
          const n = mixed[i]! / row.gain - clean[i]!;
          signal += clean[i]! ** 2;
          noise += n * n;
        }
        expect(Math.abs(10 * Math.log10(signal / noise) - SNR)).toBeLessThan(0.5);
      }
    });

    it('rebuilds images from 4 PCA components that keep ≈28% of the variance', async () => {
      // README calibration: 4 components ≈ 28% of the variance of MNIST.
      expect(summary.explainedVariance).toBeGreaterThan(0.26);
      expect(summary.explainedVariance).toBeLessThan(0.3);
      const pca = JSON.parse(readFileSync(path.join(out, 'pca.json'), 'utf8'));
      const model = {
        mean: Float64Array.from(pca.mean),
        vectors: pca.components.map((c: number[]) => Float64Array.from(c)),
      };
      let kept = 0;
      let total = 0;
      for (const row of rows) {
        // sharp hands a grey PNG back as RGB unless asked for b-w.
        const file = path.join(out, row.image);
        const png = new Uint8Array(await sharp(file).toColourspace('b-w').raw().toBuffer());
        expect(png).toEqual(reconstruct(model, source(row).image));
        const original = source(row).image;
        for (let p = 0; p < 784; p++) {
          kept += (png[p]! - model.mean[p]!) ** 2;
          total += (original[p]! - model.mean[p]!) ** 2;
        }
      }
      // Energy about the mean left in the written images (clipped to 0–255); 70 images, so loose.
      expect(kept / total).toBeGreaterThan(0.18);
      expect(kept / total).toBeLessThan(0.38);
    });

    it('is deterministic for a seed', () => {
      expect(readFileSync(path.join(again, 'manifest.jsonl'), 'utf8')).toBe(
        readFileSync(path.join(out, 'manifest.jsonl'), 'utf8'),
      );
      for (const row of rows.slice(0, 5)) {
        expect(
          readFileSync(path.join(again, row.audio)).equals(readFileSync(path.join(out, row.audio))),
        ).toBe(true);
        expect(
          readFileSync(path.join(again, row.image)).equals(readFileSync(path.join(out, row.image))),
        ).toBe(true);
      }
    });
  });
});

describe('AV-MNIST builder helpers', () => {
  it('parses FSDD clip names', () => {
    expect(parseClipName('7_jackson_32.wav')).toEqual({ digit: 7, speaker: 'jackson', index: 32 });
  });
});
